package io.chatpipe.spring.web;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.chatpipe.model.FieldViolation;
import io.chatpipe.model.InvalidInputException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ServerWebExchange;

/**
 * Builds the HTTP tiers' RFC 9457 problem+json answers, so that every tier's errors have
 * one shape: the fields at fault in {@code errors[]}, the request path as
 * {@code instance}, and {@code Retry-After} on the answers that ask for a retry. Each
 * tier decides in its own single advice which failure gets which answer.
 */
public final class ProblemResponder {

	private final String retryAfterSeconds;

	/**
	 * @param retryAfter what a retry-later answer tells the client to wait, rounded up to
	 * whole seconds (at least 1)
	 */
	public ProblemResponder(Duration retryAfter) {
		this.retryAfterSeconds = Long.toString(Math.max(1, (long) Math.ceil(retryAfter.toMillis() / 1000.0)));
	}

	/** An answer naming each field at fault and what is wrong with it. */
	public ResponseEntity<ProblemDetail> fieldErrors(HttpStatus status, List<FieldViolation> violations,
			ServerWebExchange exchange) {
		ProblemDetail body = problem(status, new InvalidInputException(violations).getMessage(), exchange);
		body.setProperty("errors",
				violations.stream().map((v) -> Map.of("field", v.field(), "message", v.message())).toList());
		return ResponseEntity.status(status).body(body);
	}

	/** An answer naming one field at fault. */
	public ResponseEntity<ProblemDetail> fieldError(HttpStatus status, String field, String message,
			ServerWebExchange exchange) {
		return fieldErrors(status, List.of(new FieldViolation(field, message)), exchange);
	}

	/** An answer that asks the client to retry after {@code Retry-After} seconds. */
	public ResponseEntity<ProblemDetail> retryLater(HttpStatus status, String detail, ServerWebExchange exchange) {
		return ResponseEntity.status(status)
			.header(HttpHeaders.RETRY_AFTER, this.retryAfterSeconds)
			.body(problem(status, detail, exchange));
	}

	private static ProblemDetail problem(HttpStatus status, String detail, ServerWebExchange exchange) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
		body.setInstance(URI.create(exchange.getRequest().getPath().value()));
		return body;
	}

}
