package io.chatpipe.query.live;

import java.util.Map;

import io.chatpipe.model.Topology;
import io.chatpipe.spring.topology.TopologyDeclarables;
import io.chatpipe.spring.topology.TopologyProperties;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.Base64UrlNamingStrategy;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The wake-up bus: a queue of this replica's own (exclusive, auto-delete, named
 * {@code <prefix>.live.<random>}) bound to the consumers' stored exchange, declared again
 * on every new connection, and the one consumer that hears it. Its notices are hints, so
 * the queue keeps only the newest {@link #QUEUED_NOTICES} and is acked on delivery. The
 * broker connection is not part of readiness: while it is down, live readers read their
 * chats every {@code fallback-interval} instead.
 * <p>
 * Why RabbitMQ and not PostgreSQL's {@code LISTEN/NOTIFY}: a standby does not relay
 * notifications, so a query API that reads a replica would never hear one; and every
 * replica would hold a database session of its own for listening, outside the pool. The
 * broker is already there, and every replica hears a fanout.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TopologyProperties.class)
class WakeUpBus {

	static final int QUEUED_NOTICES = 10_000;

	@Bean
	Topology topology(TopologyProperties properties) {
		return properties.topology();
	}

	@Bean
	Queue wakeUpQueue(Topology topology) {
		return new AnonymousQueue(new Base64UrlNamingStrategy(topology.prefix() + ".live."),
				Map.of("x-max-length", QUEUED_NOTICES, "x-overflow", "drop-head"));
	}

	@Bean
	Declarables wakeUpBinding(Topology topology, Queue wakeUpQueue) {
		FanoutExchange stored = TopologyDeclarables.storedExchange(topology);
		return new Declarables(stored, BindingBuilder.bind(wakeUpQueue).to(stored));
	}

	@Bean
	SimpleMessageListenerContainer wakeUpListener(ConnectionFactory connections, Queue wakeUpQueue,
			StoredNoticeListener listener) {
		SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connections);
		container.setQueues(wakeUpQueue);
		container.setMessageListener(listener);
		container.setAcknowledgeMode(AcknowledgeMode.NONE);
		container.setPrefetchCount(250);
		container.setMissingQueuesFatal(false);
		// Reconnects soon after a blip, and every 15 s at most while the broker is away.
		ExponentialBackOff reconnect = new ExponentialBackOff(1_000, 2);
		reconnect.setMaxInterval(15_000);
		container.setRecoveryBackOff(reconnect);
		return container;
	}

}
