package io.chatpipe.faults;

import java.util.List;
import java.util.Map;

import com.rabbitmq.client.Connection;

/** The RabbitMQ a scenario's tiers use: one node of the suite's own, or a cluster. */
interface Broker {

	/** How the tiers reach it: {@code spring.rabbitmq.*}. */
	Map<String, Object> springProperties();

	/** A connection to a running node, for the checks. */
	Connection connect() throws Exception;

	/**
	 * How many messages these quorum queues hold back as pending enqueues, together:
	 * published on a channel after a message of that channel's that the queue never got,
	 * so applied (and confirmed) but not enqueued until the gap is filled or the channel
	 * closes.
	 */
	long heldEnqueues(List<String> queues);

}
