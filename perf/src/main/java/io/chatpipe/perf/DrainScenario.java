package io.chatpipe.perf;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import io.chatpipe.consumer.shard.ShardLeaseKeys;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.MessageIds;
import io.chatpipe.model.NewMessage;
import io.chatpipe.model.Topology;
import io.chatpipe.model.WireFormat;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;

/**
 * How fast the consumers alone drain a backlog, with 1, 2 and 4 replicas. The benchmark
 * holds every shard lease itself while the replicas start and the backlog is published
 * (so they sit idle, each a member with no shard), then lets go: the replicas split the
 * shards and drain. The rate is taken between the 10th and the 90th percentile of the
 * rows' {@code stored_at}, so start-up and the tail do not blur it.
 */
final class DrainScenario {

	private DrainScenario() {
	}

	/** The best drain rate (messages/s) over the replica counts tried. */
	static Map<Integer, Double> run(Report report, boolean quick, int backlog) throws Exception {
		List<Integer> replicaCounts = quick ? List.of(1, 2) : List.of(1, 2, 4);
		Map<Integer, Double> rates = new LinkedHashMap<>();
		List<Map<String, Object>> rows = new ArrayList<>();
		StringBuilder body = new StringBuilder(String.format(Locale.ROOT,
				"%,d messages (200 chats, 8 shards) queued with the consumers idle, then drained; rate between the "
						+ "10th and 90th percentile of `stored_at`.%n%n| consumer replicas | publish (backlog) msg/s | "
						+ "drain msg/s | whole drain s | consumer RSS MiB (max) |%n|---:|---:|---:|---:|---:|%n",
				backlog));
		System.out.println("backlog drain");
		for (int replicas : replicaCounts) {
			Topology topology = TestServices.isolatedTopology(8, 20);
			String database = TestServices.newDatabase();
			List<Tier> consumers = new ArrayList<>();
			long peakKib = 0;
			try (Connection leases = Stack.connect(database); Connection db = Stack.connect(database)) {
				holdEveryShard(leases, topology);
				Map<String, Object> properties = Stack.brokerAndDatabase(topology, database);
				for (int i = 0; i < replicas; i++) {
					consumers.add(Tier.start("consumer", properties));
				}
				CompletableFuture
					.allOf(consumers.stream()
						.map((tier) -> CompletableFuture.runAsync(() -> tier.awaitReady(Stack.READY)))
						.toArray(CompletableFuture[]::new))
					.join();
				double publishRate = publish(topology, backlog);
				leases.close(); // the replicas take the shards now
				long deadline = System.nanoTime() + Duration.ofSeconds(60 + backlog / 1000).toNanos();
				while (Stack.count(db, "SELECT count(*) FROM messages") < backlog && System.nanoTime() < deadline) {
					Thread.sleep(500);
					for (Tier consumer : consumers) {
						long kib = consumer.residentKib();
						peakKib = Math.max(peakKib, kib);
						report.resident("consumer", kib, consumer.highWaterKib());
					}
				}
				double[] drain = drainRate(db);
				if ((long) drain[2] != backlog) {
					Report.problem("drain with " + replicas + " replicas stored " + (long) drain[2] + " of " + backlog);
				}
				rates.put(replicas, drain[0]);
				System.out.printf(Locale.ROOT,
						"  %d replicas: published %.0f msg/s; drained %.0f msg/s (%.1f s in all)%n", replicas,
						publishRate, drain[0], drain[1]);
				body.append(String.format(Locale.ROOT, "| %d | %s | **%s** | %.1f | %d |%n", replicas,
						Report.format(publishRate), Report.format(drain[0]), drain[1], peakKib / 1024));
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("replicas", replicas);
				row.put("backlog", backlog);
				row.put("publish_per_s", publishRate);
				row.put("drain_per_s", drain[0]);
				row.put("whole_drain_s", drain[1]);
				row.put("stored", (long) drain[2]);
				rows.add(row);
			}
			finally {
				for (Tier consumer : consumers) {
					consumer.close();
				}
			}
		}
		report.section("drain", "Backlog drain by consumer replicas", body.toString(), rows);
		return rates;
	}

	private static void holdEveryShard(Connection leases, Topology topology) throws Exception {
		try (Statement statement = leases.createStatement()) {
			for (int shard = 0; shard < topology.shards(); shard++) {
				statement.execute(
						"SELECT pg_advisory_lock(" + ShardLeaseKeys.shards(topology.prefix()) + ", " + shard + ")");
			}
		}
	}

	/**
	 * Publishes the backlog straight to the exchange, as the publisher does, with
	 * confirms.
	 */
	private static double publish(Topology topology, int count) throws Exception {
		ConnectionFactory factory = TestServices.rabbitConnectionFactory();
		Payloads payloads = new Payloads(count);
		List<Payloads.Chat> chats = payloads.chats("drain", 200);
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < 5_000; i++) {
			texts.add(payloads.text());
		}
		Semaphore window = new Semaphore(2000);
		ConcurrentNavigableMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
		long start = System.nanoTime();
		try (var connection = factory.newConnection(); Channel channel = connection.createChannel()) {
			channel.confirmSelect();
			channel.addConfirmListener((tag, multiple) -> settle(outstanding, window, tag, multiple),
					(tag, multiple) -> {
						throw new IllegalStateException("the broker refused a backlog message");
					});
			for (int i = 0; i < count; i++) {
				Payloads.Chat members = chats.get(i % chats.size());
				ChatId chat = ChatId.parse(members.id());
				ChatMessage message = ChatMessage.accept(MessageIds.random(),
						new NewMessage(chat, members.first(), texts.get(i % texts.size())), System.currentTimeMillis());
				AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(2)
					.messageId(message.messageId().toString())
					.contentType("application/json")
					.build();
				window.acquire();
				outstanding.put(channel.getNextPublishSeqNo(), Boolean.TRUE);
				channel.basicPublish(topology.exchange(), topology.routingKeyFor(chat), true, properties,
						WireFormat.encode(message));
			}
			channel.waitForConfirmsOrDie(60_000);
		}
		return count * 1e9 / (System.nanoTime() - start);
	}

	private static void settle(ConcurrentNavigableMap<Long, Boolean> outstanding, Semaphore window, long tag,
			boolean multiple) {
		if (multiple) {
			ConcurrentNavigableMap<Long, Boolean> settled = outstanding.headMap(tag, true);
			int n = settled.size();
			settled.clear();
			window.release(n);
		}
		else if (outstanding.remove(tag) != null) {
			window.release();
		}
	}

	/**
	 * messages/s between the 10th and 90th percentile of stored_at; whole drain seconds;
	 * rows.
	 */
	private static double[] drainRate(Connection db) throws Exception {
		try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery("""
				SELECT count(*),
				       extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY stored_at)
				                        - percentile_disc(0.1) WITHIN GROUP (ORDER BY stored_at)),
				       extract(epoch FROM max(stored_at) - min(stored_at))
				FROM messages""")) {
			rows.next();
			long count = rows.getLong(1);
			double middle = rows.getDouble(2);
			return new double[] { (middle > 0) ? 0.8 * count / middle : 0, rows.getDouble(3), count };
		}
	}

}
