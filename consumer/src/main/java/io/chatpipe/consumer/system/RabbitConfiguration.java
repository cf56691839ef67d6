package io.chatpipe.consumer.system;

import com.rabbitmq.client.Channel;
import io.chatpipe.model.Topology;
import io.chatpipe.model.TopologyDeclarer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

	private static final Logger logger = LoggerFactory.getLogger(RabbitConfiguration.class);

	@Bean
	Topology topology(TopologyProperties properties) {
		return properties.topology();
	}

	@Bean
	ConnectionListener topologyDeclaringListener(Topology topology, CachingConnectionFactory connectionFactory) {
		ConnectionListener listener = (connection) -> {
			try (Channel channel = connection.createChannel(false)) {
				TopologyDeclarer.declare(channel, topology);
			}
			catch (Exception ex) {
				logger.error(
						"Could not declare the topology '{}' ({} shards): {}. A queue that exists with other"
								+ " arguments must be deleted or declared with its old arguments.",
						topology.prefix(), topology.shards(), ex.getMessage());
			}
		};
		connectionFactory.addConnectionListener(listener);
		return listener;
	}

}
