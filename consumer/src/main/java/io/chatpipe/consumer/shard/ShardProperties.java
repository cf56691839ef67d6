package io.chatpipe.consumer.shard;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Which shards a consumer replica reads, and in what batches.
 *
 * @param batchSize the most messages in one batch, stored in one transaction (also the
 * prefetch of each shard's channel)
 * @param batchWait how long a batch waits to fill before it is stored anyway
 * @param batchGap how long a batch waits for its next message: a batch is stored as soon
 * as none came for this long, so a quiet shard stores a message at once while a busy one
 * still fills its batches for up to {@code batchWait} (a longer gap counts as
 * {@code batchWait})
 * @param rebalanceInterval how often a replica looks at the shard leases and takes or
 * gives back shards (also how soon a dead replica's shards are taken over once PostgreSQL
 * ended its session)
 * @param migrateOnly run the Flyway migrations and exit, consuming no shard: the mode of
 * the migration Job
 * @param replayOnly replay the dead letters to their shards and exit, consuming no shard:
 * the mode of the dead-letter replay Job
 */
@Validated
@ConfigurationProperties("chatpipe.consumer")
public record ShardProperties(@DefaultValue("500") @Min(1) @Max(10_000) int batchSize,
		@DefaultValue("50ms") Duration batchWait, @DefaultValue("5ms") Duration batchGap,
		@DefaultValue("2s") Duration rebalanceInterval, @DefaultValue("false") boolean migrateOnly,
		@DefaultValue("false") boolean replayOnly) {

	/** How long a batch waits for its next message, at most {@code batchWait}. */
	public Duration effectiveBatchGap() {
		return (this.batchGap.compareTo(this.batchWait) < 0) ? this.batchGap : this.batchWait;
	}

}
