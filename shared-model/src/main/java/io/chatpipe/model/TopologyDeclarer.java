package io.chatpipe.model;

import java.io.IOException;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;

/**
 * Declares a {@link Topology} on a channel. Every declaration is idempotent, so each tier
 * that needs the topology declares it at start and after every reconnect. A queue that
 * exists with other arguments makes the broker close the channel (PRECONDITION_FAILED):
 * delete it, or keep the old arguments.
 */
public final class TopologyDeclarer {

	private TopologyDeclarer() {
	}

	public static void declare(Channel channel, Topology topology) throws IOException {
		channel.exchangeDeclare(topology.deadLetterExchange(), BuiltinExchangeType.FANOUT, true);
		channel.queueDeclare(topology.deadLetterQueue(), true, false, false, topology.deadLetterQueueArguments());
		channel.queueBind(topology.deadLetterQueue(), topology.deadLetterExchange(), "");
		channel.exchangeDeclare(topology.exchange(), BuiltinExchangeType.DIRECT, true);
		for (int shard = 0; shard < topology.shards(); shard++) {
			channel.queueDeclare(topology.shardQueue(shard), true, false, false, topology.shardQueueArguments());
			channel.queueBind(topology.shardQueue(shard), topology.exchange(), topology.routingKey(shard));
		}
	}

}
