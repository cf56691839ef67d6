package io.chatpipe.faults;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;
import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * One scenario's pipeline: a topology and a database of its own on the suite's broker and
 * cluster, the tiers as processes, and the check of what PostgreSQL holds against what
 * the senders were told.
 */
final class Scenario implements AutoCloseable {

	static final Duration READY = Duration.ofSeconds(90);

	final String run = UUID.randomUUID().toString().substring(0, 8);

	final Topology topology = new Topology("faults-" + this.run, 4, 20);

	final Broker broker;

	final Database database;

	final String databaseName;

	final List<Tier> consumers = new ArrayList<>();

	final Tier publisher;

	final Tier queryApi;

	Scenario(Broker broker, Database database, int consumers, boolean queryApi) throws Exception {
		this.broker = broker;
		this.database = database;
		this.databaseName = database.createDatabase("faults_" + this.run);
		for (int i = 0; i < consumers; i++) {
			// One after the other: the first to subscribe is the active consumer of every
			// shard.
			this.consumers.add(Tier.start("consumer", consumerProperties()).awaitReady(READY));
		}
		this.publisher = Tier.start("publisher", publisherProperties());
		this.queryApi = queryApi ? Tier.start("query-api", database.springProperties(this.databaseName)) : null;
		CompletableFuture.allOf(CompletableFuture.runAsync(() -> this.publisher.awaitReady(READY)),
				CompletableFuture.runAsync(() -> {
					if (this.queryApi != null) {
						this.queryApi.awaitReady(READY);
					}
				}))
			.join();
	}

	Map<String, Object> consumerProperties() {
		Map<String, Object> properties = new HashMap<>(publisherProperties());
		properties.putAll(this.database.springProperties(this.databaseName));
		properties.put("chatpipe.consumer.retry.max-backoff", "1s");
		return properties;
	}

	Map<String, Object> publisherProperties() {
		Map<String, Object> properties = new HashMap<>(this.broker.springProperties());
		properties.put("chatpipe.topology.prefix", this.topology.prefix());
		properties.put("chatpipe.topology.shards", this.topology.shards());
		properties.put("chatpipe.topology.delivery-limit", this.topology.deliveryLimit());
		return properties;
	}

	/** The suite's steady stream: 6 senders over 20 chats each, 10 ms between sends. */
	LoadGenerator load() {
		return load(6, Duration.ofMillis(10));
	}

	LoadGenerator load(int senders, Duration pause) {
		return new LoadGenerator(() -> this.publisher.uri("/api/send"), this.run, senders, 20, pause);
	}

	/** Lets the scenario's timeline run on: the load keeps going meanwhile. */
	static void hold(Duration duration) {
		LockSupport.parkNanos(duration.toNanos());
	}

	/**
	 * Waits until every message answered 200 is stored and the queues are drained, then
	 * compares PostgreSQL with what the senders were told.
	 */
	Outcome verify(String name, LoadGenerator load, String note) throws Exception {
		List<LoadGenerator.Accepted> accepted = List.copyOf(load.accepted);
		Set<String> acceptedIds = new HashSet<>();
		accepted.forEach((message) -> acceptedIds.add(message.messageId()));
		try {
			await("every 200 stored").atMost(Duration.ofSeconds(120))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> storedOf(acceptedIds) == acceptedIds.size() && queued() == 0);
			// Batches a consumer still holds unacked are not in the queues' ready count:
			// wait for the store to settle.
			awaitSettled("stored count settled", Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMillis(250),
					() -> (long) rows().size());
		}
		catch (ConditionTimeoutException ex) {
			// reported as lost below
		}
		List<Row> rows = rows();
		Set<String> storedIds = new HashSet<>();
		Map<String, Integer> copies = new HashMap<>();
		Map<String, List<Row>> byChat = new HashMap<>();
		for (Row row : rows) {
			storedIds.add(row.messageId());
			copies.merge(row.sender() + "/" + row.text(), 1, Integer::sum);
			byChat.computeIfAbsent(row.chat(), (chat) -> new ArrayList<>()).add(row);
		}
		long duplicates = copies.values().stream().mapToLong((n) -> n - 1).sum();
		long lost = acceptedIds.stream().filter((id) -> !storedIds.contains(id)).count();
		long outOfOrder = 0;
		long gaps = 0;
		for (List<Row> chatRows : byChat.values()) {
			Map<String, Long> lastK = new HashMap<>();
			boolean ordered = true;
			for (int i = 0; i < chatRows.size(); i++) {
				Row row = chatRows.get(i);
				gaps += (row.seq() == i + 1) ? 0 : 1;
				long k = Long.parseLong(row.text().substring(1));
				Long previous = lastK.put(row.sender(), k);
				ordered &= previous == null || previous < k;
			}
			outOfOrder += ordered ? 0 : 1;
		}
		long errors = load.attempts.stream().filter((attempt) -> attempt.status() != 200).count();
		String errorCodes = load.attempts.stream()
			.filter((attempt) -> attempt.status() != 200)
			.collect(Collectors.groupingBy((attempt) -> (attempt.status() < 0) ? "none" : "" + attempt.status(),
					TreeMap::new, Collectors.counting()))
			.entrySet()
			.stream()
			.map((entry) -> entry.getKey() + ": " + entry.getValue())
			.collect(Collectors.joining(", "));
		long[] answered = load.attempts.stream()
			.filter((attempt) -> attempt.status() == 200)
			.mapToLong(LoadGenerator.Attempt::atMillis)
			.sorted()
			.toArray();
		long longestWithout200 = 0;
		for (int i = 1; i < answered.length; i++) {
			longestWithout200 = Math.max(longestWithout200, answered[i] - answered[i - 1]);
		}
		String measured = (gaps == 0) ? note : note + "; seq gaps: " + gaps;
		if (lost > 0) {
			measured += "; " + whereTheUnstoredAre(acceptedIds, storedIds);
		}
		return new Outcome(name, load.attempts.size(), accepted.size(), errors, errorCodes, rows.size(), duplicates,
				lost, outOfOrder + gaps, deadLetters(), longestWithout200, measured);
	}

	/**
	 * Tells apart the ways a message answered 200 can be missing: still in a shard queue
	 * (no consumer took it), held back by its queue as a pending enqueue (confirmed, but
	 * behind a message of its channel's that the queue never got), or gone. Closing the
	 * publisher closes its channels, and a queue enqueues what it held of a closed
	 * channel's, so what the consumer stores after that was held, not lost.
	 */
	private String whereTheUnstoredAre(Set<String> acceptedIds, Set<String> storedIds) throws Exception {
		Set<String> missing = new HashSet<>(acceptedIds);
		missing.removeAll(storedIds);
		long queued = queued();
		long held = this.broker.heldEnqueues(this.topology.shardQueues());
		this.publisher.close();
		awaitSettled("the store settled after the publisher stopped", Duration.ofSeconds(5), Duration.ofSeconds(60),
				Duration.ofMillis(500), () -> storedOf(missing));
		long storedLate = storedOf(missing);
		return "of the " + missing.size() + " not stored: " + queued + " still in the shard queues, " + held
				+ " held back by the queues as pending enqueues; " + storedLate
				+ " stored once the publisher stopped (its channels closed), " + (missing.size() - storedLate)
				+ " never";
	}

	/**
	 * Waits until the count stays the same for {@code steady}, at most {@code atMost}; a
	 * count still moving then is left as it stands.
	 */
	private static void awaitSettled(String what, Duration steady, Duration atMost, Duration poll,
			Callable<Long> count) {
		AtomicLong last = new AtomicLong(-1);
		try {
			await(what).during(steady)
				.atMost(atMost)
				.pollInterval(poll)
				.until(() -> last.getAndSet(count.call()) == last.get());
		}
		catch (ConditionTimeoutException stillMoving) {
			// left as it stands
		}
	}

	long deadLetters() throws Exception {
		try (var connection = this.broker.connect()) {
			return connection.createChannel().queueDeclarePassive(this.topology.deadLetterQueue()).getMessageCount();
		}
	}

	private long queued() throws Exception {
		try (var connection = this.broker.connect()) {
			var channel = connection.createChannel();
			long queued = 0;
			for (String queue : this.topology.shardQueues()) {
				queued += channel.queueDeclarePassive(queue).getMessageCount();
			}
			return queued;
		}
	}

	private long storedOf(Set<String> ids) throws Exception {
		try (Connection connection = connect();
				PreparedStatement query = connection
					.prepareStatement("SELECT count(*) FROM messages WHERE message_id = ANY(?::uuid[])")) {
			Array array = connection.createArrayOf("text", ids.toArray(String[]::new));
			query.setArray(1, array);
			try (ResultSet result = query.executeQuery()) {
				result.next();
				return result.getLong(1);
			}
		}
	}

	private List<Row> rows() throws Exception {
		List<Row> rows = new ArrayList<>();
		try (Connection connection = connect();
				PreparedStatement query = connection
					.prepareStatement("SELECT chat, seq, sender, text, message_id FROM messages ORDER BY chat, seq");
				ResultSet result = query.executeQuery()) {
			while (result.next()) {
				rows.add(new Row(result.getString(1), result.getLong(2), result.getString(3), result.getString(4),
						result.getString(5)));
			}
		}
		return rows;
	}

	private Connection connect() throws Exception {
		return DriverManager.getConnection(this.database.jdbcUrl(this.databaseName), "postgres", "");
	}

	/**
	 * Stops the tiers, then deletes the scenario's queues, so that none is left to weigh
	 * on the next scenario (a cluster's rolling restart waits for every quorum queue).
	 */
	@Override
	public void close() throws Exception {
		for (Tier tier : this.consumers) {
			tier.close();
		}
		this.publisher.close();
		if (this.queryApi != null) {
			this.queryApi.close();
		}
		try (var connection = this.broker.connect()) {
			TestServices.deleteTopology(connection.createChannel(), this.topology);
		}
	}

	private record Row(String chat, long seq, String sender, String text, String messageId) {
	}

}
