package io.chatpipe.consumer.shard;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.chatpipe.consumer.ingest.BatchIngester;
import io.chatpipe.model.Topology;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * One listener container per shard queue, each with one consumer on its own channel, so
 * each batch comes from one shard, in queue order. The containers come from Boot's
 * configured {@code rabbitListenerContainerFactory}, so the
 * {@code spring.rabbitmq.listener.simple.*} properties that do not touch the guarantees
 * apply (the README's Configuration section lists which); the rest is set here. The
 * {@link ShardBalancer} decides which shards this replica subscribes to; the queues'
 * single-active-consumer argument is the guard that keeps one consumer per shard active
 * even during a handover.
 * <p>
 * A shard is left with a forced stop: the batch in hand is stored and acked, then the
 * channel closes without a {@code basic.cancel}. A cancel would make the queue activate
 * the next consumer at once while the messages prefetched here are still checked out to
 * this one; they would reach the next consumer after newer ones, out of order. Closing
 * the channel hands the rest back and lets the next consumer in as one step, and the
 * queue delivers returned messages first.
 */
@Component
class ShardListeners {

	private final List<SimpleMessageListenerContainer> containers = new ArrayList<>();

	private final BatchIngester ingester;

	ShardListeners(SimpleRabbitListenerContainerFactory factory, Topology topology, ShardProperties properties,
			BatchIngester ingester) {
		this.ingester = ingester;
		for (String queue : topology.shardQueues()) {
			SimpleMessageListenerContainer container = factory.createListenerContainer();
			container.setQueueNames(queue);
			container.setMessageListener(ingester);
			// What the order and no-loss guarantees rest on, whatever
			// spring.rabbitmq.listener.simple.* says: one consumer per shard, batches
			// acked by the ingester after their commit, the ingester's own in-place
			// retry instead of a retry advice, a forced stop on handover (see above),
			// and subscriptions the balancer starts and stops.
			container.setConcurrentConsumers(1);
			container.setMaxConcurrentConsumers(1);
			container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
			container.setAdviceChain();
			container.setConsumerBatchEnabled(true);
			container.setDeBatchingEnabled(true);
			container.setForceStop(true);
			container.setAutoStartup(false);
			container.setBatchSize(properties.batchSize());
			container.setPrefetchCount(properties.batchSize());
			// A batch ends at batch-size messages, after batch-gap without a message, or
			// batch-wait after it began, whichever comes first.
			container.setReceiveTimeout(properties.effectiveBatchGap().toMillis());
			container.setBatchReceiveTimeout(properties.batchWait().toMillis());
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

	/** Starts consuming this shard. */
	synchronized void subscribe(int shard) {
		this.containers.get(shard).start();
	}

	/**
	 * Stops consuming this shard: the batch in hand is stored and acked first (or left
	 * unacked when it cannot be), and what was prefetched goes back to the queue.
	 */
	synchronized void unsubscribe(int shard) {
		this.containers.get(shard).stop();
	}

	/** The shards this replica consumes. */
	synchronized Set<Integer> subscribed() {
		Set<Integer> subscribed = new TreeSet<>();
		for (int shard = 0; shard < this.containers.size(); shard++) {
			if (this.containers.get(shard).isRunning()) {
				subscribed.add(shard);
			}
		}
		return subscribed;
	}

	/**
	 * Stops all shards at once; each finishes (commit, then ack) or abandons (no ack) the
	 * batch it holds.
	 */
	synchronized void stopAll() {
		this.ingester.stop();
		List<Thread> stopping = new ArrayList<>();
		for (SimpleMessageListenerContainer container : this.containers) {
			if (container.isRunning()) {
				stopping.add(Thread.ofVirtual().name(container.getListenerId() + "-stop").start(container::stop));
			}
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
	}

}
