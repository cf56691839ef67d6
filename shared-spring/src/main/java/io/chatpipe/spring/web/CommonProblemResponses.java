package io.chatpipe.spring.web;

import java.time.Duration;

import io.chatpipe.model.InvalidInputException;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * The answers every HTTP tier gives alike: 400 naming each field at fault, and 413 for a
 * body over the tier's limit. Each tier's one advice extends this class with the failures
 * that are its own.
 */
public abstract class CommonProblemResponses {

	protected final ProblemResponder problems;

	private final long maxBodySize;

	/**
	 * @param retryAfter what the tier's retry-later answers tell the client to wait
	 * @param maxBodySize the largest request body the tier reads
	 */
	protected CommonProblemResponses(Duration retryAfter, DataSize maxBodySize) {
		this.problems = new ProblemResponder(retryAfter);
		this.maxBodySize = maxBodySize.toBytes();
	}

	@ExceptionHandler
	public ResponseEntity<ProblemDetail> invalid(InvalidInputException ex, ServerWebExchange exchange) {
		return this.problems.fieldErrors(HttpStatus.BAD_REQUEST, ex.violations(), exchange);
	}

	@ExceptionHandler
	public ResponseEntity<ProblemDetail> tooLarge(DataBufferLimitException ex, ServerWebExchange exchange) {
		return this.problems.fieldError(HttpStatus.PAYLOAD_TOO_LARGE, "body",
				"must be at most " + this.maxBodySize + " bytes", exchange);
	}

}
