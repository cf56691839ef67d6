package io.chatpipe.model;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The RabbitMQ topology's names and arguments. A durable direct exchange routes each
 * message by the shard of its chat to one of {@code shards} quorum queues; each shard
 * queue has a single active consumer (so a chat's messages are stored in order), an
 * explicit delivery limit and at-least-once dead-lettering into one dead-letter queue.
 *
 * @param prefix the prefix of every name (tests use their own, so they never share
 * queues)
 * @param shards how many shard queues; changing it moves chats to other shards, so drain
 * the queues first
 * @param deliveryLimit how many times a message may be returned to its queue before it is
 * dead-lettered
 */
public record Topology(String prefix, int shards, int deliveryLimit) {

	public static final String DEFAULT_PREFIX = "chatpipe";

	public static final int DEFAULT_SHARDS = 8;

	public static final int DEFAULT_DELIVERY_LIMIT = 20;

	/** The header in which a consumer records why it dead-lettered a message. */
	public static final String REJECTION_REASON_HEADER = "x-chatpipe-rejection-reason";

	/**
	 * The header in which a consumer records the queue a dead-lettered message came from.
	 */
	public static final String SOURCE_QUEUE_HEADER = "x-chatpipe-source-queue";

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

	public Topology {
		if (prefix == null || !NAME.matcher(prefix).matches()) {
			throw new IllegalArgumentException("prefix must be 1..100 characters from [A-Za-z0-9._-], was " + prefix);
		}
		if (shards < 1 || shards > 1024) {
			throw new IllegalArgumentException("shards must be 1..1024, was " + shards);
		}
		if (deliveryLimit < 1) {
			throw new IllegalArgumentException("deliveryLimit must be at least 1, was " + deliveryLimit);
		}
	}

	public static Topology defaults() {
		return new Topology(DEFAULT_PREFIX, DEFAULT_SHARDS, DEFAULT_DELIVERY_LIMIT);
	}

	/** The durable direct exchange the publisher sends to. */
	public String exchange() {
		return this.prefix + ".messages";
	}

	/** The durable fanout exchange that feeds the dead-letter queue. */
	public String deadLetterExchange() {
		return this.prefix + ".dlx";
	}

	/**
	 * The durable fanout exchange on which consumers announce what they stored
	 * ({@link StoredNotice}); every query-API replica binds a queue of its own to it and
	 * wakes its live readers.
	 */
	public String storedExchange() {
		return this.prefix + ".stored";
	}

	public String deadLetterQueue() {
		return this.prefix + ".dead-letter";
	}

	public String shardQueue(int shard) {
		checkShard(shard);
		return this.prefix + ".shard." + shard;
	}

	public List<String> shardQueues() {
		return IntStream.range(0, this.shards).mapToObj(this::shardQueue).toList();
	}

	public String routingKey(int shard) {
		checkShard(shard);
		return Integer.toString(shard);
	}

	/**
	 * The shard of a chat: FNV-1a (32 bit) of its canonical form's UTF-8 bytes, modulo
	 * the shard count. Stable across processes, versions and languages.
	 */
	public int shardOf(ChatId chat) {
		int hash = 0x811c9dc5;
		for (byte b : chat.value().getBytes(StandardCharsets.UTF_8)) {
			hash ^= (b & 0xff);
			hash *= 0x01000193;
		}
		return (int) (Integer.toUnsignedLong(hash) % this.shards);
	}

	public String routingKeyFor(ChatId chat) {
		return routingKey(shardOf(chat));
	}

	/**
	 * The queue that records the shard count on the broker: every tier that declares the
	 * topology declares it with the count in {@code x-max-length}, an argument the broker
	 * compares on every declaration, so a tier configured with another count is refused
	 * (PRECONDITION_FAILED) instead of routing chats to queues nobody consumes. Nothing
	 * is ever published to it.
	 */
	public String shardCountQueue() {
		return this.prefix + ".shard-count";
	}

	/**
	 * The arguments of the shard-count queue; {@code x-max-length} is the shard count.
	 */
	public Map<String, Object> shardCountQueueArguments() {
		Map<String, Object> arguments = new LinkedHashMap<>();
		arguments.put("x-queue-type", "quorum");
		arguments.put("x-max-length", this.shards);
		arguments.put("x-overflow", "reject-publish");
		return arguments;
	}

	/** The arguments every shard queue is declared with. */
	public Map<String, Object> shardQueueArguments() {
		Map<String, Object> arguments = new LinkedHashMap<>();
		arguments.put("x-queue-type", "quorum");
		arguments.put("x-single-active-consumer", true);
		arguments.put("x-delivery-limit", this.deliveryLimit);
		arguments.put("x-dead-letter-exchange", deadLetterExchange());
		// at-least-once dead-lettering needs reject-publish; with the default drop-head
		// it is at-most-once.
		arguments.put("x-dead-letter-strategy", "at-least-once");
		arguments.put("x-overflow", "reject-publish");
		return arguments;
	}

	/**
	 * The arguments of the dead-letter queue: quorum, so dead letters survive a broker
	 * restart too.
	 */
	public Map<String, Object> deadLetterQueueArguments() {
		return Map.of("x-queue-type", "quorum");
	}

	private void checkShard(int shard) {
		if (shard < 0 || shard >= this.shards) {
			throw new IllegalArgumentException("shard must be 0.." + (this.shards - 1) + ", was " + shard);
		}
	}

}
