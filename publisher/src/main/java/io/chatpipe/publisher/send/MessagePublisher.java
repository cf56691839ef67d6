package io.chatpipe.publisher.send;

import java.util.Date;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.Topology;
import io.chatpipe.model.WireFormat;
import io.chatpipe.spring.tracing.Spans;
import io.micrometer.tracing.Span;
import reactor.core.publisher.Mono;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Publishes a message to its chat's shard and completes once the broker confirmed it as
 * routed to a queue. The client's publish call, which may block (a blocked connection),
 * runs on the {@link PublishLanes}' threads; the confirm is awaited as a future, so no
 * thread waits for it, least of all an event-loop thread.
 */
@Component
class MessagePublisher implements DisposableBean {

	private final Topology topology;

	private final SendProperties properties;

	private final PublishStats stats;

	private final PublishLanes lanes;

	private final BrokerGuard guard;

	private final Spans spans;

	MessagePublisher(RabbitTemplate rabbit, Topology topology, SendProperties properties, PublishStats stats,
			BrokerGuard guard, Spans spans) {
		this.guard = guard;
		this.spans = spans;
		this.topology = topology;
		this.properties = properties;
		this.stats = stats;
		this.lanes = new PublishLanes(rabbit, properties.publishThreads(), properties.maxInFlight(),
				properties.publishWindow());
	}

	/**
	 * Publishes the message; completes empty once it is confirmed, or with a
	 * {@link PublishFailedException} (503) or {@link LoadSheddingException} (429).
	 */
	Mono<Void> publish(ChatMessage message) {
		return Mono.deferContextual((context) -> {
			// The publish and its confirm, in the send's trace; the message carries it
			// on.
			Span span = this.spans.forRequest(context, "chatpipe.publish", Span.Kind.PRODUCER)
				.tag("messaging.system", "rabbitmq")
				.tag("messaging.message.id", message.messageId().toString())
				.start();
			Message amqp = toAmqp(message);
			this.spans.inject(span, amqp.getMessageProperties());
			return this.guard.guard(confirmed(message, amqp)).doOnError(span::error).doFinally((signal) -> span.end());
		});
	}

	private Mono<Void> confirmed(ChatMessage message, Message amqp) {
		CorrelationData correlation = new CorrelationData(message.messageId().toString());
		long start = System.nanoTime();
		int shard = this.topology.shardOf(message.chat());
		AtomicReference<PublishLanes.Sent> sent = new AtomicReference<>();
		return Mono
			.fromFuture(() -> this.lanes.publish(shard, this.topology.exchange(), this.topology.routingKey(shard), amqp,
					correlation))
			.doOnNext(sent::set)
			.then(Mono.fromFuture(correlation.getFuture()))
			.timeout(this.properties.confirmTimeout())
			.doOnError(TimeoutException.class, (ex) -> {
				if (sent.get() != null) {
					this.lanes.abandon(sent.get());
				}
			})
			.flatMap((confirm) -> {
				ReturnedMessage returned = correlation.getReturned();
				if (returned != null) {
					this.stats.record(PublishStats.Result.RETURNED, start);
					return Mono.error(new PublishFailedException("the broker could not route the message to a queue ("
							+ returned.getReplyCode() + " " + returned.getReplyText() + ")", false, null));
				}
				if (!confirm.isAck()) {
					this.stats.record(PublishStats.Result.NACKED, start);
					return Mono.error(new PublishFailedException(
							"the broker did not accept the message (" + confirm.getReason() + ")", true, null));
				}
				this.stats.record(PublishStats.Result.CONFIRMED, start);
				return Mono.<Void>empty();
			})
			.doOnError(LoadSheddingException.class, (ex) -> this.stats.record(PublishStats.Result.SHED, start))
			.onErrorMap(TimeoutException.class, (ex) -> {
				this.stats.record(PublishStats.Result.TIMEOUT, start);
				return new PublishFailedException(
						"the broker did not confirm the message within " + this.properties.confirmTimeout(), true, ex);
			})
			.onErrorMap(AmqpException.class, (ex) -> {
				this.stats.record(PublishStats.Result.UNREACHABLE, start);
				return new PublishFailedException("the broker is unreachable (" + ex.getMessage() + ")", true, ex);
			});
	}

	private static Message toAmqp(ChatMessage message) {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(message.messageId().toString());
		properties.setContentType(WireFormat.CONTENT_TYPE);
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		properties.setTimestamp(new Date(message.acceptedAtMillis()));
		properties.setAppId("chatpipe-publisher");
		return new Message(WireFormat.encode(message), properties);
	}

	@Override
	public void destroy() {
		this.lanes.destroy();
	}

}
