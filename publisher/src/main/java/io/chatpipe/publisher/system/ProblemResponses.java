package io.chatpipe.publisher.system;

import io.chatpipe.publisher.send.LoadSheddingException;
import io.chatpipe.publisher.send.PublishFailedException;
import io.chatpipe.publisher.send.SendProperties;
import io.chatpipe.spring.web.CommonProblemResponses;

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
 * each naming the field at fault in {@code errors[].field} (400 and 413 as every tier
 * answers them, 415 here); 503 with {@code Retry-After} when the broker did not confirm,
 * 429 when the publisher sheds load.
 */
@RestControllerAdvice
class ProblemResponses extends CommonProblemResponses {

	ProblemResponses(SendProperties properties) {
		super(properties.retryAfter(), properties.maxBodySize());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> notJson(UnsupportedMediaTypeStatusException ex, ServerWebExchange exchange) {
		return this.problems.fieldError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, HttpHeaders.CONTENT_TYPE,
				"must be application/json, was " + ((ex.getContentType() != null) ? ex.getContentType() : "missing"),
				exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unavailable(PublishFailedException ex, ServerWebExchange exchange) {
		return this.problems.retryLater(HttpStatus.SERVICE_UNAVAILABLE, "The message was not accepted: "
				+ ex.getMessage() + ". Retry later; with the same Idempotency-Key a retry never stores it twice.",
				exchange);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> shed(LoadSheddingException ex, ServerWebExchange exchange) {
		return this.problems.retryLater(HttpStatus.TOO_MANY_REQUESTS,
				"The message was not accepted: " + ex.getMessage() + ". Retry later.", exchange);
	}

}
