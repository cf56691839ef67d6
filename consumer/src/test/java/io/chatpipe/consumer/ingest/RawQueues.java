package io.chatpipe.consumer.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.MessageIds;
import io.chatpipe.model.StoredNotice;
import io.chatpipe.model.Topology;
import io.chatpipe.model.WireFormat;
import io.chatpipe.testsupport.TestServices;

/**
 * Feeds and inspects the test topology's queues with the plain client, as the publisher
 * (or a stray producer) would.
 */
final class RawQueues implements AutoCloseable {

	private final Topology topology;

	private final Connection connection;

	private final Channel channel;

	RawQueues(Topology topology) throws Exception {
		this.topology = topology;
		this.connection = TestServices.rabbitConnectionFactory().newConnection("chatpipe-test-raw");
		this.channel = this.connection.createChannel();
		this.channel.confirmSelect();
	}

	static ChatMessage message(String chat, String sender, String text) {
		ChatId chatId = ChatId.parse(chat);
		return new ChatMessage(MessageIds.random(), chatId, sender, text, System.currentTimeMillis());
	}

	/**
	 * Publishes messages to their chat's shard, persistent, and waits for the confirms.
	 */
	void publish(List<ChatMessage> messages) throws Exception {
		for (ChatMessage message : messages) {
			publishRaw(this.topology.shardOf(message.chat()), WireFormat.encode(message),
					message.messageId().toString());
		}
		this.channel.waitForConfirmsOrDie(10_000);
	}

	/** Publishes any bytes straight to a shard queue. */
	void publishRaw(int shard, byte[] body, String messageId) throws Exception {
		AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(2)
			.contentType(WireFormat.CONTENT_TYPE)
			.messageId(messageId)
			.build();
		this.channel.basicPublish(this.topology.exchange(), this.topology.routingKey(shard), true, properties, body);
		this.channel.waitForConfirmsOrDie(10_000);
	}

	long readyCount(String queue) throws Exception {
		return this.channel.queueDeclarePassive(queue).getMessageCount();
	}

	/** Takes every dead letter off the dead-letter queue. */
	List<GetResponse> drainDeadLetters() throws Exception {
		List<GetResponse> taken = new ArrayList<>();
		GetResponse response;
		while ((response = this.channel.basicGet(this.topology.deadLetterQueue(), true)) != null) {
			taken.add(response);
		}
		return taken;
	}

	/**
	 * Binds a queue of the test's own to the stored exchange, as a query-API replica
	 * does; returns its name.
	 */
	String listenToStoredNotices() throws Exception {
		String queue = this.channel.queueDeclare().getQueue();
		this.channel.queueBind(queue, this.topology.storedExchange(), "");
		return queue;
	}

	/** Takes every notice off a queue made by {@link #listenToStoredNotices()}. */
	List<StoredNotice> drainNotices(String queue) throws Exception {
		List<StoredNotice> taken = new ArrayList<>();
		GetResponse response;
		while ((response = this.channel.basicGet(queue, true)) != null) {
			taken.add(StoredNotice.decode(response.getBody()));
		}
		return taken;
	}

	static String reason(GetResponse deadLetter) {
		Object reason = deadLetter.getProps().getHeaders().get(Topology.REJECTION_REASON_HEADER);
		return (reason != null) ? reason.toString() : null;
	}

	static String body(GetResponse deadLetter) {
		return new String(deadLetter.getBody(), StandardCharsets.UTF_8);
	}

	@Override
	public void close() throws Exception {
		this.connection.close();
	}

}
