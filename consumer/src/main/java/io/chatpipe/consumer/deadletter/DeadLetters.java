package io.chatpipe.consumer.deadletter;

import java.util.List;
import java.util.Map;

import com.rabbitmq.client.GetResponse;
import io.chatpipe.model.Topology;

/**
 * The dead-letter queue at a glance.
 *
 * @param queue the queue's name
 * @param count how many dead letters wait in it
 * @param sample the first few, with why they are there
 */
record DeadLetters(String queue, long count, List<Sample> sample) {

	/**
	 * One dead letter.
	 *
	 * @param messageId its AMQP message id
	 * @param reason the consumer's reason, or RabbitMQ's ({@code x-death}, e.g.
	 * delivery_limit)
	 * @param sourceQueue the shard queue it came from
	 */
	record Sample(String messageId, String reason, String sourceQueue) {

		static Sample of(GetResponse letter) {
			Map<String, Object> headers = (letter.getProps().getHeaders() != null) ? letter.getProps().getHeaders()
					: Map.of();
			Object reason = headers.getOrDefault(Topology.REJECTION_REASON_HEADER, headers.get("x-first-death-reason"));
			Object source = headers.getOrDefault(Topology.SOURCE_QUEUE_HEADER, headers.get("x-first-death-queue"));
			return new Sample(letter.getProps().getMessageId(), (reason != null) ? reason.toString() : null,
					(source != null) ? source.toString() : null);
		}

	}

}
