package io.chatpipe.publisher.system;

import io.chatpipe.model.Topology;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The RabbitMQ topology this publisher sends to; must match the consumers's.
 *
 * @param prefix the prefix of every exchange and queue name
 * @param shards the number of shard queues
 * @param deliveryLimit how often a message may return to its queue before it is
 * dead-lettered
 */
@Validated
@ConfigurationProperties("chatpipe.topology")
public record TopologyProperties(
		@DefaultValue(Topology.DEFAULT_PREFIX) @Pattern(regexp = "[A-Za-z0-9._-]{1,100}") String prefix,
		@DefaultValue("" + Topology.DEFAULT_SHARDS) @Min(1) @Max(1024) int shards,
		@DefaultValue("" + Topology.DEFAULT_DELIVERY_LIMIT) @Min(1) int deliveryLimit) {

	public Topology topology() {
		return new Topology(this.prefix, this.shards, this.deliveryLimit);
	}

}
