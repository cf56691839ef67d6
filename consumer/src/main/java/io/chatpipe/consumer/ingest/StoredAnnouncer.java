package io.chatpipe.consumer.ingest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.StoredNotice;
import io.chatpipe.model.Topology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Announces each committed batch on the stored exchange ({@link StoredNotice}), so that
 * the query API wakes the live readers of its chats. Sent from a thread of its own, off
 * the batch's path: a notice is a hint, so a broker that blocks or fails it must never
 * hold up storing. When more notices wait than {@link #QUEUED_NOTICES}, new ones are
 * dropped (and counted); readers then find those messages by their periodic re-read.
 */
@Component
class StoredAnnouncer implements DisposableBean {

	static final int QUEUED_NOTICES = 1_000;

	private static final Logger logger = LoggerFactory.getLogger(StoredAnnouncer.class);

	private final RabbitTemplate rabbit;

	private final String exchange;

	private final ThreadPoolExecutor sender;

	private final Counter dropped;

	private final Counter failed;

	StoredAnnouncer(RabbitTemplate rabbit, Topology topology, MeterRegistry registry) {
		this.rabbit = rabbit;
		this.exchange = topology.storedExchange();
		this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED_NOTICES),
				new CustomizableThreadFactory("stored-notices-"), (task, executor) -> droppedOne());
		this.dropped = Counter.builder("chatpipe.consumer.stored.notices")
			.tag("outcome", "dropped")
			.description("Notices of stored batches for the query API's live readers, by outcome")
			.register(registry);
		this.failed = Counter.builder("chatpipe.consumer.stored.notices")
			.tag("outcome", "failed")
			.description("Notices of stored batches for the query API's live readers, by outcome")
			.register(registry);
	}

	/**
	 * Announces the chats of a committed batch.
	 * @param messages every storable message of the batch, stored now or before
	 * @param lastSeqs the last position stored now in each chat that had new messages
	 */
	void announce(List<ChatMessage> messages, Map<String, Long> lastSeqs) {
		if (messages.isEmpty()) {
			return;
		}
		Map<String, Long> chats = new LinkedHashMap<>();
		messages.forEach((message) -> chats.putIfAbsent(message.chat().value(), 0L));
		chats.putAll(lastSeqs);
		StoredNotice notice = new StoredNotice(chats, System.currentTimeMillis());
		this.sender.execute(() -> send(notice));
	}

	private void send(StoredNotice notice) {
		MessageProperties properties = new MessageProperties();
		properties.setContentType(StoredNotice.CONTENT_TYPE);
		properties.setDeliveryMode(MessageDeliveryMode.NON_PERSISTENT);
		try {
			this.rabbit.send(this.exchange, "", new Message(notice.encode(), properties));
		}
		catch (AmqpException ex) {
			this.failed.increment();
			logger.debug("A stored notice was not sent: {}", ex.getMessage());
		}
	}

	private void droppedOne() {
		if (this.dropped != null) {
			this.dropped.increment();
		}
	}

	@Override
	public void destroy() {
		this.sender.shutdown();
	}

}
