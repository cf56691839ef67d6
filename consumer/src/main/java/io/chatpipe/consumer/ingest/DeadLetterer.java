package io.chatpipe.consumer.ingest;

import java.util.List;

import io.chatpipe.model.Topology;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends poison to the dead-letter exchange with the reason in a header, and waits for the
 * broker's confirm, so the original may be acked without losing it. (A plain reject would
 * dead-letter it too, but only with the reason "rejected".) If the consumer dies between
 * the confirm and the ack, the poison is dead-lettered twice: harmless.
 */
@Component
class DeadLetterer {

	private static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

	private final RabbitTemplate rabbit;

	private final Topology topology;

	DeadLetterer(RabbitTemplate rabbit, Topology topology) {
		this.rabbit = rabbit;
		this.topology = topology;
	}

	/** A message that can never be stored, and why. */
	record Poison(Message message, String reason) {
	}

	void deadLetter(List<Poison> poison) {
		if (poison.isEmpty()) {
			return;
		}
		this.rabbit.invoke((operations) -> {
			for (Poison item : poison) {
				operations.send(this.topology.deadLetterExchange(), "", withReason(item));
			}
			operations.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
			return null;
		});
	}

	private static Message withReason(Poison poison) {
		MessageProperties original = poison.message().getMessageProperties();
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(original.getMessageId());
		properties.setContentType(original.getContentType());
		properties.setContentEncoding(original.getContentEncoding());
		properties.setTimestamp(original.getTimestamp());
		original.getHeaders().forEach(properties::setHeader);
		properties.setHeader(Topology.REJECTION_REASON_HEADER, poison.reason());
		properties.setHeader(Topology.SOURCE_QUEUE_HEADER, original.getConsumerQueue());
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		return new Message(poison.message().getBody(), properties);
	}

}
