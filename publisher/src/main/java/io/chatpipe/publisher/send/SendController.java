package io.chatpipe.publisher.send;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatpipe.model.InvalidInputException;
import io.chatpipe.model.MessageRules;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/send}: answers 200 with the message's id only after the broker
 * confirmed it.
 */
@RestController
class SendController {

	private final SendRequestReader reader;

	private final MessagePublisher publisher;

	private final long maxBodySize;

	SendController(SendProperties properties, MessagePublisher publisher) {
		this.reader = new SendRequestReader(properties.rules());
		this.publisher = publisher;
		this.maxBodySize = properties.maxBodySize().toBytes();
	}

	@PostMapping(path = "/api/send", consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" },
			produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<SendResponse> send(@RequestBody(required = false) Mono<JsonNode> body,
			@RequestHeader(name = MessageRules.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
			ServerHttpRequest request) {
		if (request.getHeaders().getContentLength() > this.maxBodySize) {
			return Mono.error(new BodyTooLargeException());
		}
		return body.switchIfEmpty(Mono.error(() -> new InvalidInputException("body", "is required")))
			.map((json) -> this.reader.read(json, idempotencyKey, System.currentTimeMillis()))
			.flatMap((message) -> this.publisher.publish(message).thenReturn(SendResponse.of(message)));
	}

}
