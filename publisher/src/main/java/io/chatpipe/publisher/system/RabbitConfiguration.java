package io.chatpipe.publisher.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.autoconfigure.amqp.RabbitTemplateCustomizer;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Publishes on a connection of its own (a memory or disk alarm blocks publishing
 * connections, and must not block anything else), with correlated confirms and mandatory
 * returns (see application.yml). The topology is declared on every new connection by the
 * shared {@code TopologyAutoConfiguration}, so a message is never unroutable for want of
 * a queue.
 */
@Configuration(proxyBeanMethods = false)
class RabbitConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(RabbitConfiguration.class);

	@Bean
	RabbitTemplateCustomizer publisherConnection() {
		return (template) -> {
			template.setUsePublisherConnection(true);
			// Returns are read from each send's CorrelationData (set before its confirm
			// arrives).
			template.setReturnsCallback((returned) -> {
			});
		};
	}

	/**
	 * Connects at start, so the topology exists before the first send; a broker that is
	 * down is no reason to stop. (A declaration the broker refuses is logged by the
	 * topology's own check, and shows in readiness.)
	 */
	@EventListener(ApplicationReadyEvent.class)
	void connectAtStart(ApplicationReadyEvent event) {
		RabbitTemplate rabbit = event.getApplicationContext().getBean(RabbitTemplate.class);
		try {
			rabbit.execute((channel) -> null);
		}
		catch (RuntimeException ex) {
			logger.warn("RabbitMQ is not reachable yet ({}); sends answer 503 until it is", ex.getMessage());
		}
	}

}
