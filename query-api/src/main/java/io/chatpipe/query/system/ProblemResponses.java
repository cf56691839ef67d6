package io.chatpipe.query.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.chatpipe.model.InvalidInputException;
import io.chatpipe.query.pull.PullProperties;
import io.chatpipe.spring.web.ProblemResponder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DataAccessException;
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

	private final ProblemResponder problems;

	private final long maxBodySize;

	ProblemResponses(PullProperties properties) {
		this.problems = new ProblemResponder(properties.retryAfter());
		this.maxBodySize = properties.maxBodySize().toBytes();
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalid(InvalidInputException ex, ServerWebExchange exchange) {
		return this.problems.fieldErrors(HttpStatus.BAD_REQUEST, ex.violations(), exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> malformed(JsonProcessingException ex, ServerWebExchange exchange) {
		return this.problems.fieldError(HttpStatus.BAD_REQUEST, "body", "is not valid JSON: " + ex.getOriginalMessage(),
				exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> tooLarge(DataBufferLimitException ex, ServerWebExchange exchange) {
		return this.problems.fieldError(HttpStatus.PAYLOAD_TOO_LARGE, "body",
				"must be at most " + this.maxBodySize + " bytes", exchange);
	}

	@ExceptionHandler({ DataAccessException.class, TransactionException.class })
	ResponseEntity<ProblemDetail> unavailable(RuntimeException ex, ServerWebExchange exchange) {
		logger.warn("A pull failed: the database cannot be read ({})", ex.getMessage());
		return this.problems.retryLater(HttpStatus.SERVICE_UNAVAILABLE,
				"The messages cannot be read right now; retry later.", exchange);
	}

}
