package io.chatpipe.model;

import java.io.IOException;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares a {@link Topology} on a channel. Every declaration is idempotent, so each tier
 * that needs the topology declares it at start and after every reconnect. A queue that
 * exists with other arguments makes the broker close the channel (PRECONDITION_FAILED):
 * delete it, or keep the old arguments.
 */
public final class TopologyDeclarer {

	private static final Logger logger = LoggerFactory.getLogger(TopologyDeclarer.class);

	private TopologyDeclarer() {
	}

	/** A source of a fresh channel, such as a new connection's {@code createChannel}. */
	@FunctionalInterface
	public interface ChannelSource {

		Channel open() throws IOException;

	}

	/**
	 * Declares the topology on a channel of its own, closes it, and logs (never throws) a
	 * failure: for a connection listener, where a throw would only be swallowed.
	 */
	public static void declareOrLog(ChannelSource channels, Topology topology) {
		try (Channel channel = channels.open()) {
			declare(channel, topology);
		}
		catch (Exception ex) {
			logger.error(
					"Could not declare the topology '{}' ({} shards): {}. A queue that exists with other"
							+ " arguments must be deleted, or declared with its old arguments.",
					topology.prefix(), topology.shards(), ex.getMessage());
		}
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
