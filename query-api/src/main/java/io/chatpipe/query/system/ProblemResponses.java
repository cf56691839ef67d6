package io.chatpipe.query.system;

import java.net.URI;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.chatpipe.model.FieldViolation;
import io.chatpipe.model.InvalidInputException;
import io.chatpipe.query.pull.PullProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;

/**
 * The one place where the query API's failures become answers: RFC 9457 problem+json
 * naming the field at fault in {@code errors[].field}; 503 with {@code Retry-After} while
 * the database cannot be read.
 */
@RestControllerAdvice
class ProblemResponses {

	private static final Logger logger = LoggerFactory.getLogger(ProblemResponses.class);

	private final long retryAfterSeconds;

	private final long maxBodySize;

	ProblemResponses(PullProperties properties) {
		this.retryAfterSeconds = Math.max(1, (long) Math.ceil(properties.retryAfter().toMillis() / 1000.0));
		this.maxBodySize = properties.maxBodySize().toBytes();
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalid(InvalidInputException ex, ServerWebExchange exchange) {
		return problem(HttpStatus.BAD_REQUEST, ex.violations(), exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> malformed(JsonProcessingException ex, ServerWebExchange exchange) {
		return problem(HttpStatus.BAD_REQUEST,
				List.of(new FieldViolation("body", "is not valid JSON: " + ex.getOriginalMessage())), exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> tooLarge(DataBufferLimitException ex, ServerWebExchange exchange) {
		return problem(HttpStatus.PAYLOAD_TOO_LARGE,
				List.of(new FieldViolation("body", "must be at most " + this.maxBodySize + " bytes")), exchange);
	}

	@ExceptionHandler({ DataAccessException.class, TransactionException.class })
	ResponseEntity<ProblemDetail> unavailable(RuntimeException ex, ServerWebExchange exchange) {
		logger.warn("A pull failed: the database cannot be read ({})", ex.getMessage());
		ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"The messages cannot be read right now; retry later.");
		body.setInstance(URI.create(exchange.getRequest().getPath().value()));
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
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
