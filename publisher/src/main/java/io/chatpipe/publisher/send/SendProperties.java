package io.chatpipe.publisher.send;

import java.time.Duration;

import io.chatpipe.model.MessageRules;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How the publisher accepts and publishes messages.
 *
 * @param maxTextLength the longest text accepted, in Unicode code points
 * @param maxBodySize the largest request body; a larger one gets 413
 * @param confirmTimeout how long a send waits for the broker's confirm before it answers
 * 503; its publishing lane then closes the channel the message went out on
 * @param retryAfter what a 503 tells the client to wait before retrying
 * ({@code Retry-After}, whole seconds)
 * @param publishThreads the publishing lanes: threads, each with a long-lived channel and
 * many messages awaiting their confirms on it, that hand messages to the broker client
 * (whose publish call may block); a shard's messages always take the same lane
 * @param activityLogInterval how often the publisher logs one line of what it did
 * @param maxInFlight the most sends waiting for their confirms at once; beyond, 429
 * @param publishWindow how long a lane that was idle gathers messages before it publishes
 * them together; 0 publishes each at once, and a negative window stops the start
 */
@Validated
@ConfigurationProperties("chatpipe.publisher")
public record SendProperties(@DefaultValue("" + MessageRules.DEFAULT_MAX_TEXT_CODE_POINTS) @Min(1) int maxTextLength,
		@DefaultValue("64KB") DataSize maxBodySize, @DefaultValue("5s") Duration confirmTimeout,
		@DefaultValue("1s") Duration retryAfter, @DefaultValue("4") @Min(1) @Max(256) int publishThreads,
		@DefaultValue("60s") Duration activityLogInterval, @DefaultValue("4096") @Min(1) int maxInFlight,
		@DefaultValue("0ms") @DurationMin(millis = 0) Duration publishWindow) {

	public MessageRules rules() {
		return new MessageRules(this.maxTextLength);
	}

}
