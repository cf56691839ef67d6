package io.chatpipe.publisher.send;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitOperations;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;

/**
 * Hands messages to the broker on a few long-lived channels, each with many messages
 * awaiting their confirms at once, as RabbitMQ's PerfTest does. A plain
 * {@code RabbitTemplate.send} per message takes a channel from the cache and parks it
 * until its one confirm arrives, so every message in flight holds a channel (opened and
 * closed past the cache size) and a thread waiting for its confirm; that capped sends at
 * a few thousand a second on two cores.
 * <p>
 * Each lane is a thread that keeps one channel bound ({@link RabbitTemplate#invoke}) and
 * publishes what is queued, in queue order; confirms and returns still complete each
 * message's {@link CorrelationData}. A lane's publish call may block (a blocked
 * connection), which is why lanes are threads of their own and never the event loop. When
 * the channel fails, the message being published and those queued behind it fail with the
 * broker's exception (503), and the lane opens a new channel for what comes next.
 * <p>
 * The queue holds at most {@code max-in-flight} messages; past that a send is shed (429)
 * rather than queued, since a send's in-flight permit ends with its request (answered,
 * timed out or cancelled) while its message could otherwise still wait here. A message
 * whose request ended before a lane took it is not published at all: its client was
 * answered 503, or left.
 */
final class PublishLanes implements DisposableBean {

	private static final long IDLE_MILLIS = 1000;

	private final RabbitTemplate rabbit;

	private final BlockingQueue<Publish> queue;

	private final int capacity;

	private final List<Thread> lanes = new ArrayList<>();

	private volatile boolean running = true;

	PublishLanes(RabbitTemplate rabbit, int lanes, int capacity) {
		this.rabbit = rabbit;
		this.capacity = capacity;
		this.queue = new LinkedBlockingQueue<>(capacity);
		for (int i = 0; i < lanes; i++) {
			this.lanes.add(Thread.ofPlatform().name("publish-lane-" + i).daemon().start(this::run));
		}
	}

	/**
	 * Queues the message for the next free lane.
	 * @return completes once the message was written to a channel, or exceptionally with
	 * the broker client's {@link AmqpException}, or with a {@link LoadSheddingException}
	 * when the queue is full; cancelling it before a lane took the message keeps the
	 * message from being published
	 */
	CompletableFuture<Void> publish(String exchange, String routingKey, Message message, CorrelationData correlation) {
		Publish publish = new Publish(exchange, routingKey, message, correlation, new CompletableFuture<>());
		if (!this.running) {
			publish.handedOver().completeExceptionally(new AmqpException("the publisher is stopping"));
		}
		else if (!this.queue.offer(publish)) {
			publish.handedOver().completeExceptionally(new LoadSheddingException(this.capacity));
		}
		return publish.handedOver();
	}

	private void run() {
		while (this.running) {
			Publish first;
			try {
				first = this.queue.poll(IDLE_MILLIS, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				return;
			}
			if (first != null) {
				publishOnOneChannel(first);
			}
		}
	}

	/**
	 * Publishes this message and whatever follows on one channel, until the queue stays
	 * empty for a while or the channel fails.
	 */
	private void publishOnOneChannel(Publish first) {
		Publish[] current = { first };
		try {
			this.rabbit.invoke((operations) -> {
				while (current[0] != null) {
					send(operations, current[0]);
					current[0] = this.running ? nextOrNull() : null;
				}
				return null;
			});
		}
		catch (RuntimeException thrown) {
			AmqpException ex = (thrown instanceof AmqpException amqp) ? amqp
					: new AmqpException("the message could not be published: " + thrown, thrown);
			if (current[0] != null) {
				current[0].handedOver().completeExceptionally(ex);
			}
			// The broker is unreachable or the channel broke: fail what waits now rather
			// than let each message wait for its own failed attempt.
			List<Publish> waiting = new ArrayList<>();
			this.queue.drainTo(waiting);
			waiting.forEach((publish) -> publish.handedOver().completeExceptionally(ex));
		}
	}

	private Publish nextOrNull() {
		try {
			return this.queue.poll(IDLE_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	private static void send(RabbitOperations operations, Publish publish) {
		if (publish.handedOver().isDone()) {
			return; // its request ended (cancelled or timed out) before a lane took it
		}
		operations.send(publish.exchange(), publish.routingKey(), publish.message(), publish.correlation());
		publish.handedOver().complete(null);
	}

	@Override
	public void destroy() {
		this.running = false;
		for (Thread lane : this.lanes) {
			lane.interrupt();
		}
		List<Publish> waiting = new ArrayList<>();
		this.queue.drainTo(waiting);
		waiting.forEach((publish) -> publish.handedOver()
			.completeExceptionally(new AmqpException("the publisher is stopping")));
	}

	private record Publish(String exchange, String routingKey, Message message, CorrelationData correlation,
			CompletableFuture<Void> handedOver) {
	}

}
