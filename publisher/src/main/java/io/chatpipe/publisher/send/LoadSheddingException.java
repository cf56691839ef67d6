package io.chatpipe.publisher.send;

/**
 * Too many publishes are waiting for their confirms
 * ({@code chatpipe.publisher.max-in-flight}); answered 429 with {@code Retry-After}
 * rather than queued without limit.
 */
public class LoadSheddingException extends RuntimeException {

	public LoadSheddingException(int limit) {
		super(limit + " sends are already waiting for the broker");
	}

}
