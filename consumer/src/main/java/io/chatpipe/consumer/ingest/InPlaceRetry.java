package io.chatpipe.consumer.ingest;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries an action on the listener's own thread while it fails transiently, with
 * doubling back-off. The batch stays unacked and the channel's prefetch stays full
 * meanwhile, so the broker sends this consumer nothing more: the backlog waits in
 * RabbitMQ, and no message is requeued or counted toward its delivery limit. A stop ends
 * the wait.
 */
final class InPlaceRetry {

	private static final Logger logger = LoggerFactory.getLogger(InPlaceRetry.class);

	private final Duration initialBackoff;

	private final Duration maxBackoff;

	private final CountDownLatch stopping = new CountDownLatch(1);

	InPlaceRetry(IngestProperties.Retry properties) {
		this.initialBackoff = properties.initialBackoff();
		this.maxBackoff = properties.maxBackoff();
	}

	/**
	 * Runs the action until it succeeds or fails for good.
	 * @throws StoppingException when the consumer stops while the action still fails
	 * @throws RuntimeException the action's own failure when it is not transient
	 */
	<T> T untilDone(String what, Supplier<T> action) {
		Duration backoff = this.initialBackoff;
		for (int attempt = 1;; attempt++) {
			try {
				return action.get();
			}
			catch (RuntimeException ex) {
				if (!FailureClassifier.isTransient(ex)) {
					throw ex;
				}
				if (attempt == 1 || Integer.bitCount(attempt) == 1) {
					logger.warn("{} failed (attempt {}), retrying in place every {} at most: {}", what, attempt,
							this.maxBackoff, ex.getMessage());
				}
				try {
					if (this.stopping.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
						throw new StoppingException(what + " still failing when the consumer stopped", ex);
					}
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw new StoppingException(what + " interrupted", ex);
				}
				backoff = (backoff.compareTo(this.maxBackoff.dividedBy(2)) > 0) ? this.maxBackoff
						: backoff.multipliedBy(2);
			}
		}
	}

	/**
	 * Ends every wait: a batch still failing is abandoned unacked, so the broker
	 * redelivers it.
	 */
	void stop() {
		this.stopping.countDown();
	}

	/** The consumer stopped while a batch could not be stored; it was not acked. */
	static final class StoppingException extends RuntimeException {

		StoppingException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
