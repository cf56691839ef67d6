package io.chatpipe.publisher.send;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.connection.RabbitUtils;
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
 * Each lane is a thread that keeps one channel bound ({@link RabbitTemplate#invoke}) for
 * as long as the channel works and publishes what is queued for it, in queue order;
 * confirms and returns still complete each message's {@link CorrelationData}. A shard's
 * messages always take the same lane, so a chat's messages leave on one channel, in the
 * order they were sent. A lane's publish call may block (a blocked connection), which is
 * why lanes are threads of their own and never the event loop. When the channel fails,
 * the message being published and those queued behind it fail with the broker's exception
 * (503), and the lane opens a new channel for what comes next.
 * <p>
 * <b>A message that gets no confirm closes its channel.</b> A quorum queue takes a
 * channel's messages in the order the channel numbered them. After a network partition,
 * RabbitMQ's channel can fail to send one message again that the queue never got (fixed
 * in RabbitMQ 4.2, rabbitmq-server pull request 14589); the queue then confirms the
 * channel's later messages but holds them back, behind the gap, until the channel closes.
 * The missing message is the one whose confirm never comes, so when a send's confirm
 * times out ({@link #abandon}), its lane closes the channel it went out on: the queue
 * enqueues what it held, in order, and the lane goes on with a new channel. Since the
 * shard's later messages took the same channel, they were held behind the same gap and
 * come out in order too.
 * <p>
 * <b>A publish window gathers messages.</b> With a {@code publish-window} above 0, a lane
 * that was idle waits for the end of the current window before it publishes, and then
 * publishes everything queued meanwhile back to back. The windows are multiples of the
 * window on the JVM's one clock, so every lane publishes at the same moments and the
 * broker takes their messages in one go: at about a thousand messages a second RabbitMQ's
 * quorum queues then write and sync them together instead of one by one, and the
 * consumers get them in larger batches. Each message waits up to the window for it. A
 * lane that is busy publishes what comes without waiting.
 * <p>
 * The lanes hold at most {@code max-in-flight} queued messages; past that a send is shed
 * (429) rather than queued, since a send's in-flight permit ends with its request
 * (answered, timed out or cancelled) while its message could otherwise still wait here. A
 * message whose request ended before a lane took it is not published at all: its client
 * was answered 503, or left.
 */
final class PublishLanes implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(PublishLanes.class);

	private static final long IDLE_MILLIS = 1000;

	private final RabbitTemplate rabbit;

	private final Semaphore room;

	private final int capacity;

	private final long windowNanos;

	private final List<Lane> lanes = new ArrayList<>();

	private volatile boolean running = true;

	PublishLanes(RabbitTemplate rabbit, int lanes, int capacity, Duration window) {
		this.rabbit = rabbit;
		this.capacity = capacity;
		this.windowNanos = window.toNanos();
		this.room = new Semaphore(capacity);
		for (int i = 0; i < lanes; i++) {
			this.lanes.add(new Lane("publish-lane-" + i));
		}
	}

	/**
	 * Queues the message for its shard's lane.
	 * @return completes once the message was written to a channel, with where it went, or
	 * exceptionally with the broker client's {@link AmqpException}, or with a
	 * {@link LoadSheddingException} when the lanes are full; cancelling it before a lane
	 * took the message keeps the message from being published
	 */
	CompletableFuture<Sent> publish(int shard, String exchange, String routingKey, Message message,
			CorrelationData correlation) {
		Publish publish = new Publish(exchange, routingKey, message, correlation, new CompletableFuture<>());
		if (!this.running) {
			publish.handedOver().completeExceptionally(new AmqpException("the publisher is stopping"));
		}
		else if (!this.room.tryAcquire()) {
			publish.handedOver().completeExceptionally(new LoadSheddingException(this.capacity));
		}
		else {
			this.lanes.get(Math.floorMod(shard, this.lanes.size())).queue.add(publish);
		}
		return publish.handedOver();
	}

	/**
	 * Gives up on a message whose confirm did not come: its lane closes the channel it
	 * went out on, unless that channel is gone already.
	 */
	void abandon(Sent sent) {
		sent.lane().closeChannel(sent.channel());
	}

	@Override
	public void destroy() {
		this.running = false;
		for (Lane lane : this.lanes) {
			lane.thread.interrupt();
			lane.failWaiting(new AmqpException("the publisher is stopping"));
		}
	}

	/**
	 * Where a message was written: its lane, and which of the lane's channels (counted
	 * from 1).
	 */
	record Sent(Lane lane, long channel) {
	}

	private record Publish(String exchange, String routingKey, Message message, CorrelationData correlation,
			CompletableFuture<Sent> handedOver) {
	}

	final class Lane {

		private final BlockingQueue<Publish> queue = new LinkedBlockingQueue<>();

		private final Thread thread;

		/** The channel in use, counted from 1; 0 before the first. */
		private volatile long channel;

		/** The channel to close at the next chance, or 0. */
		private volatile long closing;

		private Lane(String name) {
			this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
		}

		private void closeChannel(long channel) {
			if (channel == this.channel) {
				this.closing = channel;
			}
		}

		private void run() {
			while (PublishLanes.this.running) {
				Publish first = next();
				if (Thread.currentThread().isInterrupted()) {
					if (first != null) {
						first.handedOver().completeExceptionally(new AmqpException("the publisher is stopping"));
					}
					return;
				}
				while (first != null && PublishLanes.this.running) {
					first = publishOnOneChannel(first);
				}
			}
		}

		/**
		 * Publishes this message and whatever follows on one channel, until the channel
		 * fails, a message sent on it gets no confirm, or the publisher stops.
		 * @return a message taken but not sent, for the next channel: the lane closed the
		 * channel first, or the channel had closed while the lane was idle (the
		 * connection was lost)
		 */
		private Publish publishOnOneChannel(Publish first) {
			Publish[] current = { first };
			boolean[] idled = { false };
			long channel = this.channel + 1;
			this.channel = channel;
			try {
				PublishLanes.this.rabbit.invoke((operations) -> {
					while (true) {
						if (this.closing == channel) {
							logger.warn(
									"{}: a message sent on this channel got no confirm; closing the channel, so "
											+ "that the queues take what they may hold back of it",
									this.thread.getName());
							operations.execute(Lane::closeNow);
							return null;
						}
						if (current[0] == null) {
							if (!PublishLanes.this.running) {
								return null;
							}
							current[0] = next();
							idled[0] |= current[0] == null;
						}
						else if (idled[0] && !operations.execute(Channel::isOpen)) {
							return null;
						}
						else {
							idled[0] = false;
							send(operations, current[0], new Sent(this, channel));
							current[0] = null;
						}
					}
				});
			}
			catch (RuntimeException thrown) {
				AmqpException ex = (thrown instanceof AmqpException amqp) ? amqp
						: new AmqpException("the message could not be published: " + thrown, thrown);
				if (current[0] != null) {
					current[0].handedOver().completeExceptionally(ex);
				}
				// The broker is unreachable or the channel broke: fail what waits now
				// rather than let each message wait for its own failed attempt.
				failWaiting(ex);
				return null;
			}
			return current[0];
		}

		/**
		 * Closes the channel and waits for the broker's close-ok, so the queues learn
		 * that it is gone before the lane's next channel publishes anything. (The cache's
		 * own physical close of a channel with confirms outstanding waits up to 5 s for
		 * them first, and the shard's next messages would overtake what the queue
		 * releases.) The cache then discards the proxy rather than keep it.
		 */
		private static Object closeNow(Channel open) throws Exception {
			try {
				((ChannelProxy) open).getTargetChannel().close();
			}
			catch (AlreadyClosedException alreadyClosed) {
				// the channel failed meanwhile: the broker closed it
			}
			RabbitUtils.setPhysicalCloseRequired(open, true);
			return null;
		}

		/**
		 * The next message: one already queued at once; otherwise the next to come,
		 * published at the end of the current window with whatever queued meanwhile.
		 */
		private Publish next() {
			Publish ready = this.queue.poll();
			if (ready != null) {
				return take(ready);
			}
			Publish first = null;
			try {
				first = this.queue.poll(IDLE_MILLIS, TimeUnit.MILLISECONDS);
				if (first != null && PublishLanes.this.windowNanos > 0) {
					awaitWindowEnd();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return take(first);
		}

		/**
		 * Sleeps to the end of the current window. The windows are the same for every
		 * lane (multiples of the window on the JVM's one nanosecond clock), so the lanes'
		 * messages reach the broker together.
		 */
		private void awaitWindowEnd() throws InterruptedException {
			TimeUnit.NANOSECONDS.sleep(nanosToWindowEnd(PublishLanes.this.windowNanos));
		}

		private Publish take(Publish publish) {
			if (publish != null) {
				PublishLanes.this.room.release();
			}
			return publish;
		}

		private void failWaiting(AmqpException ex) {
			List<Publish> waiting = new ArrayList<>();
			this.queue.drainTo(waiting);
			waiting.forEach((publish) -> {
				PublishLanes.this.room.release();
				publish.handedOver().completeExceptionally(ex);
			});
		}

	}

	/**
	 * Nanoseconds from now to the end of the current window: the windows are multiples of
	 * {@code windowNanos} on the JVM's one nanosecond clock, the same for every lane.
	 */
	static long nanosToWindowEnd(long windowNanos) {
		return windowNanos - Math.floorMod(System.nanoTime(), windowNanos);
	}

	private static void send(RabbitOperations operations, Publish publish, Sent sent) {
		if (publish.handedOver().isDone()) {
			return; // its request ended (cancelled or timed out) before a lane took it
		}
		operations.send(publish.exchange(), publish.routingKey(), publish.message(), publish.correlation());
		publish.handedOver().complete(sent);
	}

}
