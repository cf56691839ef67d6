package io.chatpipe.model;

/**
 * A message on the queue that can never be stored: undecodable bytes, JSON that is not a
 * message, or a message that breaks the rules. Its reason travels with it to the
 * dead-letter queue.
 */
public class PoisonMessageException extends RuntimeException {

	public PoisonMessageException(String reason) {
		super(reason);
	}

	public PoisonMessageException(String reason, Throwable cause) {
		super(reason, cause);
	}

}
