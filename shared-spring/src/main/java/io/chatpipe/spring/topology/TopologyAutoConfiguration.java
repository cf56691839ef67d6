package io.chatpipe.spring.topology;

import io.chatpipe.model.Topology;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.amqp.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The chatpipe topology in every application with Spring AMQP (the publisher and the
 * consumer): its typed properties, its declarables (which Boot's {@code RabbitAdmin}
 * declares on every new connection, before any publish or subscribe on it), and the check
 * that the tiers agree on the shard count.
 */
@AutoConfiguration(after = RabbitAutoConfiguration.class)
@ConditionalOnClass(RabbitAdmin.class)
@EnableConfigurationProperties(TopologyProperties.class)
public class TopologyAutoConfiguration {

	@Bean
	Topology topology(TopologyProperties properties) {
		return properties.topology();
	}

	@Bean
	Declarables chatpipeTopology(Topology topology) {
		return TopologyDeclarables.of(topology);
	}

	@Bean
	TopologyDeclarationFailures topologyDeclarationFailures(Topology topology) {
		return new TopologyDeclarationFailures(topology);
	}

	@Bean
	@ConditionalOnBean(AmqpAdmin.class)
	@ConditionalOnEnabledHealthIndicator("shardCount")
	ShardCountHealthIndicator shardCountHealthIndicator(AmqpAdmin admin, Topology topology,
			TopologyDeclarationFailures failures) {
		return new ShardCountHealthIndicator(admin, topology, failures);
	}

}
