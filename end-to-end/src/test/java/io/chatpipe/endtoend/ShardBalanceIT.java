package io.chatpipe.endtoend;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer replicas share the shards: each consumes about shards/replicas of them, and
 * the shards move by themselves when replicas join, stop or die, while messages keep
 * flowing, none lost, none stored twice, every chat in order.
 */
class ShardBalanceIT {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final int SHARDS = 8;

	private static final int CHATS = 16;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final Topology topology = TestServices.isolatedTopology(SHARDS, 20);

	private final String database = TestServices.newDatabase();

	@Test
	void replicasSplitTheShardsAndTakeOverFromOnesThatLeaveWithoutLosingOrReorderingMessages() throws Exception {
		Map<String, Object> rabbit = new HashMap<>(TestServices.rabbitProperties());
		rabbit.putAll(TestServices.topologyProperties(this.topology));
		Map<String, Object> consumer = new HashMap<>(rabbit);
		consumer.putAll(TestServices.postgresProperties(this.database));
		consumer.put("chatpipe.consumer.rebalance-interval", "300ms");
		List<Tier> tiers = new ArrayList<>();
		Map<String, List<String>> sentByChat = new ConcurrentHashMap<>();
		AtomicBoolean sending = new AtomicBoolean(true);
		List<Throwable> sendFailures = new CopyOnWriteArrayList<>();
		try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
			Tier a = started(tiers, "consumer", consumer);
			Tier publisher = started(tiers, "publisher", rabbit);
			awaiting("one replica consumes every shard", 20, sendFailures).untilAsserted(
					() -> assertThat(shards(a)).containsExactlyElementsOf(IntStream.range(0, SHARDS).boxed().toList()));

			List<Future<?>> running = new ArrayList<>();
			for (int c = 0; c < CHATS; c++) {
				String chat = "balance:room" + c;
				running.add(senders.submit(() -> sendUntilStopped(publisher, chat, sending, sentByChat, sendFailures)));
			}

			Tier b = started(tiers, "consumer", consumer);
			Tier c = started(tiers, "consumer", consumer);
			awaiting("three replicas split the shards 3/3/2", 30, sendFailures)
				.untilAsserted(() -> assertSplit(List.of(a, b, c), 2, 3));
			awaiting("the joined replicas store messages", 30, sendFailures)
				.untilAsserted(() -> assertThat(List.of(stored(b), stored(c))).allMatch((count) -> count > 0));

			c.kill();
			awaiting("a killed replica's shards are taken over", 30, sendFailures)
				.untilAsserted(() -> assertSplit(List.of(a, b), 4, 4));

			b.stop();
			awaiting("a stopped replica's shards are taken over", 30, sendFailures)
				.untilAsserted(() -> assertSplit(List.of(a), SHARDS, SHARDS));

			long storedAtTakeOver = stored(a);
			awaiting("the remaining replica stores what is sent after the take-over", 30, sendFailures)
				.until(() -> stored(a) > storedAtTakeOver + CHATS);
			sending.set(false);
			for (Future<?> sender : running) {
				sender.get();
			}
			assertThat(sendFailures).isEmpty();
			int sent = sentByChat.values().stream().mapToInt(List::size).sum();
			assertThat(sent).isGreaterThan(CHATS * 5);
			awaiting("everything sent is stored", 60, sendFailures).until(() -> storedRows() == sent);
			assertStoredOnceInOrder(sentByChat);
		}
		finally {
			sending.set(false);
			for (Tier tier : tiers) {
				tier.close();
			}
		}
	}

	/** Waits, failing at once with the first send failure. */
	private static ConditionFactory awaiting(String what, int seconds, List<Throwable> sendFailures) {
		return await(what).atMost(Duration.ofSeconds(seconds))
			.failFast(() -> assertThat(sendFailures).as("send failures").isEmpty());
	}

	private static Tier started(List<Tier> tiers, String name, Map<String, Object> properties) throws Exception {
		Tier tier = Tier.start(name, properties);
		tiers.add(tier);
		return tier.awaitReady(Duration.ofSeconds(90));
	}

	/**
	 * Each sender waits for every 200 before the next send, so its chat's order is
	 * defined.
	 */
	private Void sendUntilStopped(Tier publisher, String chat, AtomicBoolean sending,
			Map<String, List<String>> sentByChat, List<Throwable> failures) {
		List<String> sent = sentByChat.computeIfAbsent(chat, (k) -> new CopyOnWriteArrayList<>());
		try {
			for (int i = 0; sending.get(); i++) {
				String text = "#" + i;
				String body = JSON.writeValueAsString(Map.of("chat", chat, "sender", "balance", "text", text));
				HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(publisher.uri("/api/send"))
					.timeout(Duration.ofSeconds(15))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString(body))
					.build(), HttpResponse.BodyHandlers.ofString());
				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
				sent.add(text);
				Thread.sleep(20);
			}
		}
		catch (Throwable ex) {
			failures.add(ex);
		}
		return null;
	}

	private void assertSplit(List<Tier> replicas, int fewest, int most) throws Exception {
		Set<Integer> all = new TreeSet<>();
		int total = 0;
		for (Tier replica : replicas) {
			JsonNode assignment = get(replica, "/actuator/shards");
			assertThat(assignment.path("members").asInt()).as("members seen by " + replica.uri(""))
				.isEqualTo(replicas.size());
			List<Integer> held = shards(replica);
			assertThat(held.size()).as("shards of " + replica.uri("")).isBetween(fewest, most);
			all.addAll(held);
			total += held.size();
		}
		assertThat(total).as("no shard held twice").isEqualTo(all.size());
		assertThat(all).containsExactlyElementsOf(IntStream.range(0, SHARDS).boxed().toList());
	}

	private List<Integer> shards(Tier replica) throws Exception {
		List<Integer> shards = new ArrayList<>();
		get(replica, "/actuator/shards").path("shards").forEach((shard) -> shards.add(shard.asInt()));
		return shards;
	}

	private long stored(Tier replica) throws Exception {
		return get(replica, "/actuator/metrics/chatpipe.consumer.messages?tag=outcome:stored").path("measurements")
			.path(0)
			.path("value")
			.asLong();
	}

	private JsonNode get(Tier tier, String path) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(tier.uri(path)).timeout(Duration.ofSeconds(5)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private Connection connect() throws Exception {
		return TestServices.postgres().connect(this.database);
	}

	private long storedRows() throws Exception {
		try (Connection db = connect();
				ResultSet rows = db.createStatement().executeQuery("SELECT count(*) FROM messages")) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private void assertStoredOnceInOrder(Map<String, List<String>> sentByChat) throws Exception {
		Map<String, List<String>> storedByChat = new HashMap<>();
		try (Connection db = connect();
				PreparedStatement query = db
					.prepareStatement("SELECT chat, seq, message_id, text FROM messages ORDER BY chat, seq");
				ResultSet rows = query.executeQuery()) {
			while (rows.next()) {
				storedByChat.computeIfAbsent(rows.getString("chat"), (k) -> new ArrayList<>())
					.add(rows.getString("text"));
			}
		}
		sentByChat.forEach((chat, sent) -> assertThat(storedByChat.get(chat))
			.as(() -> "stored order of " + chat + firstDifference(sent, storedByChat.get(chat)))
			.containsExactlyElementsOf(sent));
	}

	/** Where two long lists part, with a few elements either side, for the failure. */
	private static String firstDifference(List<String> sent, List<String> stored) {
		if (stored == null) {
			return ": nothing stored";
		}
		int at = 0;
		while (at < sent.size() && at < stored.size() && sent.get(at).equals(stored.get(at))) {
			at++;
		}
		int from = Math.max(0, at - 3);
		return ", first difference at index " + at + ": sent " + sent.subList(from, Math.min(sent.size(), at + 4))
				+ ", stored " + stored.subList(from, Math.min(stored.size(), at + 4));
	}

}
