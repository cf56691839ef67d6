package io.chatpipe.consumer.deadletter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.PoisonMessageException;
import io.chatpipe.model.Topology;
import io.chatpipe.model.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads the dead-letter queue and moves dead letters back to their chat's shard.
 * Replaying is idempotent: the consumer stores a message id once, so a message that was
 * stored after all, or is replayed twice, is skipped. A dead letter that is still not a
 * storable message stays where it is.
 */
@Component
class DeadLetterReplayer {

	private static final Logger logger = LoggerFactory.getLogger(DeadLetterReplayer.class);

	private static final int SAMPLE_SIZE = 10;

	private final RabbitTemplate rabbit;

	private final Topology topology;

	DeadLetterReplayer(RabbitTemplate rabbit, Topology topology) {
		this.rabbit = rabbit;
		this.topology = topology;
	}

	/** How many dead letters wait, and why the first few are there. */
	DeadLetters inspect() {
		return this.rabbit.execute((channel) -> {
			long count = channel.queueDeclarePassive(this.topology.deadLetterQueue()).getMessageCount();
			List<DeadLetters.Sample> sample = new ArrayList<>();
			List<Long> held = new ArrayList<>();
			GetResponse letter;
			while (held.size() < SAMPLE_SIZE
					&& (letter = channel.basicGet(this.topology.deadLetterQueue(), false)) != null) {
				held.add(letter.getEnvelope().getDeliveryTag());
				sample.add(DeadLetters.Sample.of(letter));
			}
			requeue(channel, held);
			return new DeadLetters(this.topology.deadLetterQueue(), count, sample);
		});
	}

	/**
	 * Moves up to {@code limit} dead letters back to their shards, each confirmed by the
	 * broker before it is acked.
	 */
	ReplayReport replay(int limit) {
		return this.rabbit.execute((channel) -> {
			// Bounded by what GET hands out, not by the queue's message count: a quorum
			// queue's count lags its contents for a moment after a publish, and read
			// first it could stop a replay short. The letters kept are held unacked until
			// the
			// end, so none is taken twice.
			List<Long> kept = new ArrayList<>();
			int replayed = 0;
			for (int i = 0; i < limit; i++) {
				GetResponse letter = channel.basicGet(this.topology.deadLetterQueue(), false);
				if (letter == null) {
					break;
				}
				ChatMessage message;
				try {
					message = WireFormat.decode(letter.getBody());
				}
				catch (PoisonMessageException ex) {
					kept.add(letter.getEnvelope().getDeliveryTag());
					continue;
				}
				channel.basicPublish(this.topology.exchange(), this.topology.routingKeyFor(message.chat()),
						withoutDeathHeaders(letter.getProps()), letter.getBody());
				channel.waitForConfirmsOrDie(10_000);
				channel.basicAck(letter.getEnvelope().getDeliveryTag(), false);
				replayed++;
			}
			requeue(channel, kept);
			logger.info("Replayed {} dead letters to their shards; {} are still not storable and stay", replayed,
					kept.size());
			return new ReplayReport(replayed, kept.size());
		});
	}

	private static void requeue(Channel channel, List<Long> tags) throws IOException {
		for (long tag : tags) {
			channel.basicNack(tag, false, true);
		}
	}

	private static AMQP.BasicProperties withoutDeathHeaders(AMQP.BasicProperties properties) {
		Map<String, Object> headers = new HashMap<>(
				(properties.getHeaders() != null) ? properties.getHeaders() : Map.of());
		headers.remove("x-death");
		headers.remove("x-first-death-exchange");
		headers.remove("x-first-death-queue");
		headers.remove("x-first-death-reason");
		headers.remove(Topology.REJECTION_REASON_HEADER);
		headers.remove(Topology.SOURCE_QUEUE_HEADER);
		headers.put("x-chatpipe-replayed", true);
		return properties.builder().headers(headers).deliveryMode(2).build();
	}

	/**
	 * What a replay did.
	 *
	 * @param replayed dead letters sent back to their shards
	 * @param kept dead letters that are still not storable messages, left in the queue (a
	 * quorum queue counts them as ready again a moment later, so GET the endpoint for the
	 * count)
	 */
	record ReplayReport(int replayed, int kept) {
	}

}
