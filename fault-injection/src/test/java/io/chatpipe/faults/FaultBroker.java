package io.chatpipe.faults;

import java.io.IOException;
import java.nio.file.Path;

import io.chatpipe.testsupport.RabbitNode;

/**
 * A RabbitMQ node of the suite's own, with no plugins: alone it is the suite's broker;
 * three of them make a {@link BrokerCluster}.
 */
final class FaultBroker extends RabbitNode implements Broker {

	static final String NODE = "chatpipe-faults@localhost";

	FaultBroker(Path work, int port) throws IOException {
		this(work, NODE, port, "");
	}

	FaultBroker(Path work, String node, int port, String config) throws IOException {
		super(work, node, port, config, "[].\n");
	}

}
