package io.chatpipe.consumer.system;

import org.springframework.boot.autoconfigure.amqp.RabbitTemplateCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The consumer publishes (a stored notice after every batch, dead letters now and then)
 * on a connection of its own, never on its listeners'. A memory or disk alarm makes the
 * broker block a connection that publishes, and a blocked connection carries nothing
 * more, acks included: on the listeners' connection, the consumers could no longer ack,
 * so the queues could not drain and the alarm could not clear.
 */
@Configuration(proxyBeanMethods = false)
class PublishingConnection {

	@Bean
	RabbitTemplateCustomizer publishOnAConnectionOfItsOwn() {
		return (template) -> template.setUsePublisherConnection(true);
	}

}
