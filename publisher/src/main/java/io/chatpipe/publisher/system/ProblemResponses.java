package io.chatpipe.publisher.system;

import java.net.URI;
import java.util.List;
import java.util.Map;

import io.chatpipe.model.FieldViolation;
import io.chatpipe.model.InvalidInputException;
import io.chatpipe.publisher.send.BodyTooLargeException;
import io.chatpipe.publisher.send.LoadSheddingException;
import io.chatpipe.publisher.send.PublishFailedException;
import io.chatpipe.publisher.send.SendProperties;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * The one place where the publisher's failures become answers: RFC 9457 problem+json,
 * each naming the field at fault in {@code errors[].field}; 503 with {@code Retry-After}
 * when the broker did not confirm.
 */
@RestControllerAdvice
class ProblemResponses {

	private final long retryAfterSeconds;

	private final long maxBodySize;

	ProblemResponses(SendProperties properties) {
		this.maxBodySize = properties.maxBodySize().toBytes();
		this.retryAfterSeconds = Math.max(1, (long) Math.ceil(properties.retryAfter().toMillis() / 1000.0));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalid(InvalidInputException ex, ServerWebExchange exchange) {
		return problem(HttpStatus.BAD_REQUEST, ex.violations(), exchange);
	}

	@ExceptionHandler({ BodyTooLargeException.class, DataBufferLimitException.class })
	ResponseEntity<ProblemDetail> tooLarge(ServerWebExchange exchange) {
		return problem(HttpStatus.PAYLOAD_TOO_LARGE,
				List.of(new FieldViolation("body", "must be at most " + this.maxBodySize + " bytes")), exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> notJson(UnsupportedMediaTypeStatusException ex, ServerWebExchange exchange) {
		return problem(
				HttpStatus.UNSUPPORTED_MEDIA_TYPE, List.of(
						new FieldViolation(HttpHeaders.CONTENT_TYPE,
								"must be application/json, was "
										+ ((ex.getContentType() != null) ? ex.getContentType() : "missing"))),
				exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unavailable(PublishFailedException ex, ServerWebExchange exchange) {
		return retryLater(HttpStatus.SERVICE_UNAVAILABLE, "The message was not accepted: " + ex.getMessage()
				+ ". Retry later; with the same Idempotency-Key a retry never stores it twice.", exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> shed(LoadSheddingException ex, ServerWebExchange exchange) {
		return retryLater(HttpStatus.TOO_MANY_REQUESTS,
				"The message was not accepted: " + ex.getMessage() + ". Retry later.", exchange);
	}

	private ResponseEntity<ProblemDetail> retryLater(HttpStatus status, String detail, ServerWebExchange exchange) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
		body.setInstance(URI.create(exchange.getRequest().getPath().value()));
		return ResponseEntity.status(status)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(this.retryAfterSeconds))
			.body(body);
	}

	private static ResponseEntity<ProblemDetail> problem(HttpStatus status, List<FieldViolation> violations,
			ServerWebExchange exchange) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(status,
				new InvalidInputException(violations).getMessage());
		body.setInstance(URI.create(exchange.getRequest().getPath().value()));
		body.setProperty("errors",
				violations.stream().map((v) -> Map.of("field", v.field(), "message", v.message())).toList());
		return ResponseEntity.status(status).body(body);
	}

}
