package io.chatpipe.query.system;

import io.chatpipe.query.live.TooManySubscribersException;
import io.chatpipe.query.pull.PullProperties;
import io.chatpipe.spring.web.CommonProblemResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * naming the field at fault in {@code errors[].field} (400 and 413 as every tier answers
 * them); 503 with {@code Retry-After} while the database cannot be read, and while the
 * replica holds as many live readers as it may.
 */
@RestControllerAdvice
class ProblemResponses extends CommonProblemResponses {

	private static final Logger logger = LoggerFactory.getLogger(ProblemResponses.class);

	ProblemResponses(PullProperties properties) {
		super(properties.retryAfter(), properties.maxBodySize());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> full(TooManySubscribersException ex, ServerWebExchange exchange) {
		return this.problems.retryLater(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage(), exchange);
	}

	@ExceptionHandler({ DataAccessException.class, TransactionException.class })
	ResponseEntity<ProblemDetail> unavailable(RuntimeException ex, ServerWebExchange exchange) {
		logger.warn("A pull failed: the database cannot be read ({})", ex.getMessage());
		return this.problems.retryLater(HttpStatus.SERVICE_UNAVAILABLE,
				"The messages cannot be read right now; retry later.", exchange);
	}

}
