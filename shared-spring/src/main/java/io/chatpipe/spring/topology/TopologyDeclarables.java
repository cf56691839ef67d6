package io.chatpipe.spring.topology;

import java.util.ArrayList;
import java.util.List;

import io.chatpipe.model.Topology;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;

/**
 * A {@link Topology} as Spring AMQP declarables, which the application's
 * {@code RabbitAdmin} declares on every new connection. Public for the query API, which
 * declares only the stored exchange it listens to.
 */
public final class TopologyDeclarables {

	private TopologyDeclarables() {
	}

	static Declarables of(Topology topology) {
		List<Declarable> declarables = new ArrayList<>();
		FanoutExchange deadLetterExchange = new FanoutExchange(topology.deadLetterExchange(), true, false);
		Queue deadLetterQueue = new Queue(topology.deadLetterQueue(), true, false, false,
				topology.deadLetterQueueArguments());
		declarables.add(deadLetterExchange);
		declarables.add(deadLetterQueue);
		declarables.add(BindingBuilder.bind(deadLetterQueue).to(deadLetterExchange));
		DirectExchange exchange = new DirectExchange(topology.exchange(), true, false);
		declarables.add(exchange);
		for (int shard = 0; shard < topology.shards(); shard++) {
			Queue queue = new Queue(topology.shardQueue(shard), true, false, false, topology.shardQueueArguments());
			declarables.add(queue);
			declarables.add(BindingBuilder.bind(queue).to(exchange).with(topology.routingKey(shard)));
		}
		declarables.add(shardCountQueue(topology));
		declarables.add(storedExchange(topology));
		return new Declarables(declarables);
	}

	/**
	 * The exchange of the consumers' {@code StoredNotice}s: durable, so that it outlives
	 * every tier; the notices on it are transient hints.
	 */
	public static FanoutExchange storedExchange(Topology topology) {
		return new FanoutExchange(topology.storedExchange(), true, false);
	}

	static Queue shardCountQueue(Topology topology) {
		return new Queue(topology.shardCountQueue(), true, false, false, topology.shardCountQueueArguments());
	}

}
