package io.chatpipe.faults;

import java.util.Map;

import com.rabbitmq.client.Connection;

/** The RabbitMQ a scenario's tiers use: one node of the suite's own, or a cluster. */
interface Broker {

	/** How the tiers reach it: {@code spring.rabbitmq.*}. */
	Map<String, Object> springProperties();

	/** A connection to a running node, for the checks. */
	Connection connect() throws Exception;

}
