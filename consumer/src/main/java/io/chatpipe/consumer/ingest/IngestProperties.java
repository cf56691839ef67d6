package io.chatpipe.consumer.ingest;

import java.time.Duration;

import jakarta.validation.Valid;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the consumer stores its batches and retries. (How big a batch is, and which shards
 * it comes from, is the shard listeners' part: {@code ShardProperties}.)
 *
 * @param retry the back-off while the database (or the broker, for dead letters) fails
 * @param activityLogInterval how often the consumer logs one line of what it did
 */
@Validated
@ConfigurationProperties("chatpipe.consumer")
public record IngestProperties(@DefaultValue @Valid Retry retry, @DefaultValue("60s") Duration activityLogInterval) {

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
