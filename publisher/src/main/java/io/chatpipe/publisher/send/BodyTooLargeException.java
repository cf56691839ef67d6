package io.chatpipe.publisher.send;

/**
 * A request body larger than {@code chatpipe.publisher.max-body-size}; answered 413.
 */
public class BodyTooLargeException extends RuntimeException {

	public BodyTooLargeException() {
		super("the request body is too large");
	}

}
