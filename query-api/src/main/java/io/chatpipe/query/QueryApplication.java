package io.chatpipe.query;

import io.chatpipe.spring.topology.TopologyAutoConfiguration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The query tier: {@code GET /api/pull} serves cursor-paginated pages of a chat's stored
 * messages, and waits for new ones when asked; {@code GET /api/stream} pushes them as
 * they are stored. Of the RabbitMQ topology it declares only its own wake-up queue (see
 * {@code WakeUpBus}), not the shard queues the other tiers declare.
 */
@SpringBootApplication(exclude = TopologyAutoConfiguration.class)
@ConfigurationPropertiesScan
public class QueryApplication {

	public static void main(String[] args) {
		SpringApplication.run(QueryApplication.class, args);
	}

}
