package io.chatpipe.spring.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Reads a request body whole, as bytes, for the tiers' own strict parsers: cheaper than a
 * streaming decoder for bodies of a few kilobytes, and bounded.
 */
public final class RequestBodies {

	private RequestBodies() {
	}

	/**
	 * The body's bytes, or an empty {@code Mono} when there is no body.
	 * @param maxBytes the most bytes read; a longer body fails with a
	 * {@link DataBufferLimitException}
	 */
	public static Mono<byte[]> bytes(ServerHttpRequest request, int maxBytes) {
		return DataBufferUtils.join(request.getBody(), maxBytes).map((buffer) -> {
			try (InputStream in = buffer.asInputStream(true)) {
				return in.readAllBytes();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
	}

}
