package io.chatpipe.query.live;

/**
 * This replica holds as many live readers as it may; the client should retry later, or
 * elsewhere.
 */
public class TooManySubscribersException extends RuntimeException {

	public TooManySubscribersException(int max) {
		super("This replica serves " + max + " live readers already; retry later.");
	}

}
