package io.chatpipe.publisher.send;

/**
 * The broker did not take a message: unreachable, blocked, nacked, returned as
 * unroutable, or no confirm in time. The client gets 503 with {@code Retry-After}, and
 * may retry.
 */
public class PublishFailedException extends RuntimeException {

	private final boolean brokerFault;

	/**
	 * @param message what happened, for the client
	 * @param brokerFault whether the broker itself failed (unreachable, nack, timeout),
	 * which the circuit breaker counts, rather than the message (unroutable)
	 * @param cause the cause, or null
	 */
	public PublishFailedException(String message, boolean brokerFault, Throwable cause) {
		super(message, cause);
		this.brokerFault = brokerFault;
	}

	public boolean brokerFault() {
		return this.brokerFault;
	}

}
