package io.chatpipe.publisher.send;

/**
 * The broker did not confirm a message: unreachable, blocked, nacked, returned as
 * unroutable, or no confirm in time. The client gets 503 with {@code Retry-After}, and
 * may retry.
 */
public class PublishFailedException extends RuntimeException {

	public PublishFailedException(String message, Throwable cause) {
		super(message, cause);
	}

	public PublishFailedException(String message) {
		super(message);
	}

}
