package io.chatpipe.spring.topology;

import io.chatpipe.model.Topology;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The RabbitMQ topology, as the publisher and the consumer both read it from
 * {@code chatpipe.topology.*}. Its rules live in {@link Topology}: a value that breaks
 * one fails the binding, and with it the start, naming the property.
 *
 * @param prefix the prefix of every exchange and queue name
 * @param shards the number of shard queues; the publisher and the consumer must agree,
 * which {@link ShardCountHealthIndicator} checks on the broker
 * @param deliveryLimit how often a message may return to its queue before it is
 * dead-lettered
 */
@ConfigurationProperties("chatpipe.topology")
public record TopologyProperties(@DefaultValue(Topology.DEFAULT_PREFIX) String prefix,
		@DefaultValue("" + Topology.DEFAULT_SHARDS) int shards,
		@DefaultValue("" + Topology.DEFAULT_DELIVERY_LIMIT) int deliveryLimit) {

	public TopologyProperties {
		new Topology(prefix, shards, deliveryLimit);
	}

	public Topology topology() {
		return new Topology(this.prefix, this.shards, this.deliveryLimit);
	}

}
