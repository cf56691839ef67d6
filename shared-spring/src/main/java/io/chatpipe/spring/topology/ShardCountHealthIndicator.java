package io.chatpipe.spring.topology;

import io.chatpipe.model.Topology;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Readiness follows the agreement on the shard count: the shard-count queue carries the
 * count as an argument that the broker checks on every declaration, so a tier configured
 * with another count than the one the broker holds is refused, and reported DOWN (the
 * broker's refusal is logged by {@link TopologyDeclarationFailures}). Publisher and
 * consumer must agree, or chats are routed to shard queues that no consumer reads.
 */
class ShardCountHealthIndicator extends AbstractHealthIndicator {

	private final AmqpAdmin admin;

	private final TopologyDeclarationFailures failures;

	private final Topology topology;

	private final Queue shardCountQueue;

	ShardCountHealthIndicator(AmqpAdmin admin, Topology topology, TopologyDeclarationFailures failures) {
		super("The shard count could not be checked on the broker");
		this.admin = admin;
		this.topology = topology;
		this.failures = failures;
		this.shardCountQueue = TopologyDeclarables.shardCountQueue(topology);
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("shards", this.topology.shards()).withDetail("queue", this.shardCountQueue.getName());
		this.admin.declareQueue(this.shardCountQueue);
		this.failures.resolved();
		builder.up();
	}

}
