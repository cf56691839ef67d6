package io.chatpipe.consumer.ingest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.rabbitmq.client.Channel;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.PoisonMessageException;
import io.chatpipe.model.WireFormat;
import io.chatpipe.spring.tracing.Spans;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.RabbitUtils;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.amqp.rabbit.support.RabbitExceptionTranslator;
import org.springframework.stereotype.Component;

/**
 * Stores one batch from one shard queue: decodes it, stores the messages in one
 * transaction (retrying in place while the database fails), dead-letters poison with its
 * reason, and only then acks the whole batch. A crash anywhere before the ack redelivers
 * the batch, and the store skips what it holds already. Public for the shard listeners
 * that hand it their batches.
 */
@Component
public class BatchIngester implements ChannelAwareBatchMessageListener {

	private static final Logger logger = LoggerFactory.getLogger(BatchIngester.class);

	private final MessageStore store;

	private final DeadLetterer deadLetterer;

	private final InPlaceRetry retry;

	private final IngestStats stats;

	private final StoredAnnouncer announcer;

	private final Spans spans;

	BatchIngester(MessageStore store, DeadLetterer deadLetterer, IngestProperties properties, IngestStats stats,
			StoredAnnouncer announcer, Spans spans) {
		this.store = store;
		this.spans = spans;
		this.deadLetterer = deadLetterer;
		this.announcer = announcer;
		this.retry = new InPlaceRetry(properties.retry());
		this.stats = stats;
	}

	@Override
	public void onMessageBatch(List<Message> messages, Channel channel) {
		// The batch's span links to each message's trace; while it is in scope, log lines
		// carry its trace id.
		Spans.Batch trace = this.spans.startBatch("chatpipe.consumer.store",
				messages.get(0).getMessageProperties().getConsumerQueue(),
				messages.stream().map(Message::getMessageProperties).toList());
		Throwable failure = null;
		try (Tracer.SpanInScope scope = trace.inScope()) {
			ingest(messages, channel);
		}
		catch (RuntimeException | Error ex) {
			failure = ex;
			throw ex;
		}
		finally {
			trace.end(failure);
		}
	}

	private void ingest(List<Message> messages, Channel channel) {
		long start = System.nanoTime();
		long lastTag = messages.get(messages.size() - 1).getMessageProperties().getDeliveryTag();
		List<ChatMessage> decoded = new ArrayList<>(messages.size());
		Map<ChatMessage, Message> origins = new IdentityHashMap<>(messages.size());
		List<DeadLetterer.Poison> poison = new ArrayList<>();
		for (Message message : messages) {
			try {
				ChatMessage chatMessage = WireFormat.decode(message.getBody());
				decoded.add(chatMessage);
				origins.put(chatMessage, message);
			}
			catch (PoisonMessageException ex) {
				poison.add(new DeadLetterer.Poison(message, ex.getMessage()));
			}
		}
		try {
			StoreOutcome outcome = this.retry.untilDone("Storing a batch of " + decoded.size(), () -> {
				Span write = this.spans.startDatabase("chatpipe.consumer.store.transaction");
				try {
					return this.store.store(decoded);
				}
				catch (RuntimeException ex) {
					write.error(ex);
					throw ex;
				}
				finally {
					write.end();
				}
			});
			outcome.rejected()
				.forEach((rejected) -> poison
					.add(new DeadLetterer.Poison(origins.get(rejected.message()), rejected.reason())));
			this.retry.untilDone("Dead-lettering " + poison.size() + " poison messages", () -> {
				this.deadLetterer.deadLetter(poison);
				return null;
			});
			poison.forEach((item) -> logger.warn("Dead-lettered message {} from {}: {}",
					item.message().getMessageProperties().getMessageId(),
					item.message().getMessageProperties().getConsumerQueue(), item.reason()));
			// Announced before the ack, so that a consumer that dies in between announces
			// again with the redelivery.
			this.announcer.announce(storable(decoded, outcome), outcome.lastSeqs());
			channel.basicAck(lastTag, true);
			this.stats.recordBatch(start, outcome, poison.size());
		}
		catch (InPlaceRetry.StoppingException ex) {
			// Not acked: the channel closes with the container and the broker redelivers
			// the batch.
			logger.info("Abandoned a batch of {} unacked: {}", messages.size(), ex.getMessage());
			throw ex;
		}
		catch (IOException ex) {
			throw RabbitExceptionTranslator.convertRabbitAccessException(ex);
		}
		catch (RuntimeException ex) {
			// A failure that is neither transient nor a poison message's: requeue, so
			// that a message that fails again and again reaches its delivery limit and
			// the dead-letter queue. Then close the channel, which hands back what was
			// prefetched behind the batch (after it, in order) and restarts the
			// consumer: storing those now would put them before the requeued batch.
			logger.error("Storing a batch of {} failed unexpectedly; requeueing it", messages.size(), ex);
			try {
				channel.basicNack(lastTag, true, true);
			}
			catch (IOException nackFailure) {
				ex.addSuppressed(nackFailure);
			}
			RabbitUtils.setPhysicalCloseRequired(channel, true);
			RabbitUtils.closeChannel(channel);
		}
	}

	private static List<ChatMessage> storable(List<ChatMessage> decoded, StoreOutcome outcome) {
		if (outcome.rejected().isEmpty()) {
			return decoded;
		}
		Set<ChatMessage> rejected = Collections.newSetFromMap(new IdentityHashMap<>());
		outcome.rejected().forEach((item) -> rejected.add(item.message()));
		return decoded.stream().filter((message) -> !rejected.contains(message)).toList();
	}

	/** Ends every in-place retry: called before the containers stop. */
	public void stop() {
		this.retry.stop();
	}

}
