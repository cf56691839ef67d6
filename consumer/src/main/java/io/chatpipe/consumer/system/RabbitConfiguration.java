package io.chatpipe.consumer.system;

import io.chatpipe.model.Topology;
import io.chatpipe.model.TopologyDeclarer;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Declares the topology on every new broker connection, before any listener subscribes,
 * so the consumer can start first and survives a broker that lost its definitions.
 */
@Configuration(proxyBeanMethods = false)
class RabbitConfiguration {

	@Bean
	Topology topology(TopologyProperties properties) {
		return properties.topology();
	}

	@Bean
	ConnectionListener topologyDeclaringListener(Topology topology, CachingConnectionFactory connectionFactory) {
		ConnectionListener listener = (connection) -> TopologyDeclarer
			.declareOrLog(() -> connection.createChannel(false), topology);
		connectionFactory.addConnectionListener(listener);
		return listener;
	}

}
