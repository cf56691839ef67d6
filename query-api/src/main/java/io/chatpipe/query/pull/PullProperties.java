package io.chatpipe.query.pull;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How the query API serves pulls.
 *
 * @param readThreads the threads that run the (blocking) JPA reads; more than the
 * connection pool only queue there
 * @param maxBodySize the largest JSON body a pull may carry
 * @param retryAfter what a 503 (database unreachable) tells the client to wait
 * ({@code Retry-After})
 * @param activityLogInterval how often the query API logs one line of what it did
 */
@Validated
@ConfigurationProperties("chatpipe.query")
public record PullProperties(@DefaultValue("10") @Min(1) @Max(1024) int readThreads,
		@DefaultValue("16KB") DataSize maxBodySize, @DefaultValue("1s") Duration retryAfter,
		@DefaultValue("60s") Duration activityLogInterval) {
}
