package io.chatpipe.consumer.ingest;

import java.util.ArrayList;
import java.util.List;

import io.chatpipe.model.Topology;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * One listener container per shard queue, each with one consumer on its own channel, so
 * each batch comes from one shard, in queue order. Every replica subscribes to every
 * shard; the queues' single-active-consumer argument makes one of them the active
 * consumer of each shard, and the next takes over when it goes.
 */
@Component
class ShardListeners implements SmartLifecycle {

	private final List<SimpleMessageListenerContainer> containers = new ArrayList<>();

	private final BatchIngester ingester;

	private final boolean migrateOnly;

	private volatile boolean running;

	ShardListeners(ConnectionFactory connectionFactory, Topology topology, IngestProperties properties,
			BatchIngester ingester) {
		this.ingester = ingester;
		this.migrateOnly = properties.migrateOnly();
		for (String queue : topology.shardQueues()) {
			SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
			container.setQueueNames(queue);
			container.setConcurrentConsumers(1);
			container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
			container.setConsumerBatchEnabled(true);
			container.setBatchSize(properties.batchSize());
			container.setPrefetchCount(properties.batchSize());
			container.setReceiveTimeout(properties.batchWait().toMillis());
			container.setBatchReceiveTimeout(properties.batchWait().toMillis());
			container.setMessageListener(ingester);
			// Keep trying while the broker is down or the queues are not declared yet,
			// never give up.
			container.setMissingQueuesFatal(false);
			container.setPossibleAuthenticationFailureFatal(false);
			container.setShutdownTimeout(10_000);
			container.setBeanName("shard-" + queue);
			container.afterPropertiesSet();
			this.containers.add(container);
		}
	}

	@Override
	public void start() {
		this.containers.forEach(SimpleMessageListenerContainer::start);
		this.running = true;
	}

	/**
	 * Stops all shards at once; each finishes (commit, then ack) or abandons (no ack) the
	 * batch it holds.
	 */
	@Override
	public void stop() {
		this.ingester.stop();
		List<Thread> stopping = new ArrayList<>();
		for (SimpleMessageListenerContainer container : this.containers) {
			stopping.add(Thread.ofVirtual().name(container.getListenerId() + "-stop").start(container::stop));
		}
		for (Thread thread : stopping) {
			try {
				thread.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		this.running = false;
	}

	/** In migrate-only mode nothing is consumed. */
	@Override
	public boolean isAutoStartup() {
		return !this.migrateOnly;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Whether every shard's consumer is subscribed (active or waiting as
	 * single-active-consumer standby).
	 */
	boolean allSubscribed() {
		return this.containers.stream().allMatch((container) -> container.getActiveConsumerCount() > 0);
	}

}
