package io.chatpipe.publisher.send;

import java.util.List;

import io.chatpipe.model.MessageRules;
import io.chatpipe.spring.web.RequestBodies;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * {@code POST /api/send} (routed by {@link SendRoutes}): answers 200 with the message's
 * id only after the broker confirmed it. The body is read as bytes, at most
 * {@code max-body-size} of them, and parsed by the {@link SendRequestReader}; failures
 * end in the problem responses as an annotated controller's would.
 */
@Component
class SendHandler {

	private static final List<MediaType> JSON = List.of(MediaType.APPLICATION_JSON,
			new MediaType("application", "*+json"));

	private final SendRequestReader reader;

	private final MessagePublisher publisher;

	private final long maxBodySize;

	SendHandler(SendProperties properties, SendRequestReader reader, MessagePublisher publisher) {
		this.reader = reader;
		this.publisher = publisher;
		this.maxBodySize = properties.maxBodySize().toBytes();
	}

	Mono<ServerResponse> send(ServerRequest request) {
		HttpHeaders headers = request.headers().asHttpHeaders();
		MediaType contentType = contentType(headers);
		if (contentType == null || JSON.stream().noneMatch((json) -> json.includes(contentType))) {
			return Mono.error(new UnsupportedMediaTypeStatusException(contentType, JSON));
		}
		if (headers.getContentLength() > this.maxBodySize) {
			return Mono.error(new DataBufferLimitException("Content-Length is over max-body-size"));
		}
		String idempotencyKey = headers.getFirst(MessageRules.IDEMPOTENCY_KEY_HEADER);
		return RequestBodies.bytes(request.exchange().getRequest(), (int) this.maxBodySize)
			.defaultIfEmpty(new byte[0])
			.map((body) -> this.reader.read(body, idempotencyKey, System.currentTimeMillis()))
			.flatMap((message) -> this.publisher.publish(message)
				.publishOn(eventLoopOf(request))
				.then(ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(SendResponse.of(message))));
	}

	/**
	 * The event loop of the request's connection, where its answer is written. The
	 * broker's confirm arrives on the AMQP connection's one reader thread; building the
	 * answer there would put every send's response work (and Netty's slow thread-local
	 * paths for a foreign thread) on that thread, and its write would hop to the event
	 * loop anyway.
	 */
	private static Scheduler eventLoopOf(ServerRequest request) {
		if (ServerHttpRequestDecorator.getNativeRequest(request.exchange().getRequest()) instanceof Connection netty) {
			return Schedulers.fromExecutor(netty.channel().eventLoop());
		}
		return Schedulers.immediate();
	}

	/**
	 * The request's content type, or null when it has none or one that does not parse.
	 */
	private static MediaType contentType(HttpHeaders headers) {
		try {
			return headers.getContentType();
		}
		catch (InvalidMediaTypeException ex) {
			return null;
		}
	}

}
