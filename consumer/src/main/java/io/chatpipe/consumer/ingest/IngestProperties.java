package io.chatpipe.consumer.ingest;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the consumer batches and retries.
 *
 * @param batchSize the most messages stored in one transaction (also the prefetch of each
 * shard's channel)
 * @param batchWait how long a batch waits to fill before it is stored anyway
 * @param retry the back-off while the database (or the broker, for dead letters) fails
 * @param activityLogInterval how often the consumer logs one line of what it did
 * @param migrateOnly run the Flyway migrations and exit, consuming nothing: the mode of
 * the migration Job
 * @param rebalanceInterval how often a replica looks at the shard leases and takes or
 * gives back shards (also how soon a dead replica's shards are taken over once PostgreSQL
 * ended its session)
 */
@Validated
@ConfigurationProperties("chatpipe.consumer")
public record IngestProperties(@DefaultValue("500") @Min(1) @Max(10_000) int batchSize,
		@DefaultValue("50ms") Duration batchWait, @DefaultValue @Valid Retry retry,
		@DefaultValue("60s") Duration activityLogInterval, @DefaultValue("false") boolean migrateOnly,
		@DefaultValue("2s") Duration rebalanceInterval) {

	/**
	 * Back-off of the in-place retry: doubles from {@code initialBackoff} up to
	 * {@code maxBackoff}, forever.
	 *
	 * @param initialBackoff the first wait
	 * @param maxBackoff the longest wait
	 */
	public record Retry(@DefaultValue("100ms") Duration initialBackoff, @DefaultValue("5s") Duration maxBackoff) {
	}

}
