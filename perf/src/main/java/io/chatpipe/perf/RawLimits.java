package io.chatpipe.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.rabbitmq.client.Channel;
import io.chatpipe.consumer.ingest.StoreStatements;
import io.chatpipe.model.Topology;
import io.chatpipe.query.pull.PageQueries;
import io.chatpipe.testsupport.PostgresService;
import io.chatpipe.testsupport.RabbitService;
import io.chatpipe.testsupport.TestServices;

/**
 * The same box's raw limits, on what the pipeline itself uses: RabbitMQ PerfTest over
 * chatpipe's own topology (its shard queues with their arguments, the pipeline's mean
 * message size, publisher confirms with as many messages in flight as the closed-loop
 * load's connections, mandatory publishes, a consumer per shard with manual acks), and
 * pgbench running the consumer's and the query API's own statements
 * ({@link StoreStatements}, {@link PageQueries}: the same constants the tiers run, not a
 * copy).
 */
final class RawLimits {

	private static final Pattern PERF_TEST_SENT = Pattern.compile("sending rate avg: ([0-9,]+) msg/s");

	private static final Pattern PERF_TEST_RECEIVED = Pattern.compile("receiving rate avg: ([0-9,]+) msg/s");

	private static final Pattern PERF_TEST_CONFIRM = Pattern
		.compile("confirm latency min/median/75th/95th/99th (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+) µs");

	private static final Pattern PGBENCH_TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

	/** Messages per pgbench insert transaction: one consumer batch of this many chats. */
	static final int INSERT_BATCH = 50;

	/**
	 * Messages PerfTest keeps awaiting their confirms: one per connection of the
	 * closed-loop load (wrk's 64), as many as the publisher can have in flight then.
	 */
	static final int IN_FLIGHT = 64;

	/** PerfTest's producers: one per publishing lane of the publisher. */
	static final int PRODUCERS = 4;

	/** The paced PerfTest run's messages/s: the live-stream scenario's sends/s. */
	static final int PACED_RATE = StreamScenario.RATE;

	/** Page queries per pgbench transaction (see {@link #pgbenchPages}). */
	private static final int PAGES_PER_TRANSACTION = 3;

	private RawLimits() {
	}

	/**
	 * The raw figures.
	 *
	 * @param broker PerfTest's figures
	 * @param postgresInsertRows pgbench rows/s through the consumer's statements
	 * @param postgresPages pgbench page queries/s on the pull table
	 */
	record Limits(Broker broker, double postgresInsertRows, double postgresPages) {

		static Limits none() {
			return new Limits(new Broker(0, 0, 0, 0, 0, 0), 0, 0);
		}

	}

	/**
	 * PerfTest's figures.
	 *
	 * @param published messages/s published (confirmed)
	 * @param consumed messages/s consumed (acked)
	 * @param messageSize the mean message body sent, bytes
	 * @param confirmP99Millis the confirm latency, 99th percentile
	 * @param cpuMicros RabbitMQ's CPU per message during the run
	 * @param pacedCpuMicros RabbitMQ's CPU per message when paced at {@link #PACED_RATE}
	 */
	record Broker(double published, double consumed, int messageSize, double confirmP99Millis, double cpuMicros,
			double pacedCpuMicros) {

	}

	/**
	 * PerfTest over a topology of its own, declared with chatpipe's shard-queue
	 * arguments, removed afterwards: once as fast as it goes, and once paced at
	 * {@link #PACED_RATE}, the live-stream scenario's sends/s, since the broker's CPU per
	 * message is not the same at every rate.
	 */
	static Broker perfTest(Report report, boolean quick) throws Exception {
		int size = Payloads.meanWireSize(2_000, 17);
		int seconds = quick ? 3 : 20;
		PerfTestRun fast = perfTest(report, size, seconds, 0, "perftest");
		System.out.printf(
				"  PerfTest (%d shard queues, %d B, %d in flight): published %.0f msg/s, consumed %.0f msg/s,"
						+ " confirm p99 %.1f ms, RabbitMQ %.0f µs/msg%n",
				Topology.DEFAULT_SHARDS, size, IN_FLIGHT, fast.published(), fast.consumed(), fast.confirmP99Millis(),
				fast.cpuMicros());
		PerfTestRun paced = perfTest(report, size, seconds, PACED_RATE, "perftest-paced");
		System.out.printf(
				"  PerfTest paced at %d msg/s: published %.0f msg/s, confirm p99 %.1f ms, RabbitMQ %.0f µs/msg%n",
				PACED_RATE, paced.published(), paced.confirmP99Millis(), paced.cpuMicros());
		return new Broker(fast.published(), fast.consumed(), size, fast.confirmP99Millis(), fast.cpuMicros(),
				paced.cpuMicros());
	}

	/** One PerfTest run; {@code rate} 0 is as fast as it goes. */
	private static PerfTestRun perfTest(Report report, int size, int seconds, int rate, String name) throws Exception {
		RabbitService rabbit = TestServices.rabbit();
		Topology topology = new Topology("chatpipe-perftest-" + System.nanoTime(), Topology.DEFAULT_SHARDS,
				Topology.DEFAULT_DELIVERY_LIMIT);
		String pattern = topology.prefix() + ".shard.%d";
		if (!String.format(Locale.ROOT, pattern, 0).equals(topology.shardQueue(0))) {
			throw new IllegalStateException("PerfTest's queue pattern " + pattern + " does not name the shard queues, "
					+ "such as " + topology.shardQueue(0));
		}
		String arguments = topology.shardQueueArguments()
			.entrySet()
			.stream()
			.map((argument) -> argument.getKey() + "=" + argument.getValue())
			.collect(Collectors.joining(","));
		String uri = "amqp://" + rabbit.username() + ":" + rabbit.password() + "@" + rabbit.host() + ":"
				+ rabbit.port();
		List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
				"-Xmx256m", "-cp", System.getProperty("java.class.path"), "com.rabbitmq.perf.PerfTest", "--uri", uri,
				"--queue-pattern", pattern, "--queue-pattern-from", "0", "--queue-pattern-to",
				String.valueOf(topology.shards() - 1), "--queue-args", arguments, "--auto-delete", "false", "--flag",
				"persistent", "--flag", "mandatory", "--producers", String.valueOf(PRODUCERS), "--confirm",
				String.valueOf(IN_FLIGHT / PRODUCERS), "--size", String.valueOf(size), "--consumers",
				String.valueOf(topology.shards()), "--qos", "500", "--multi-ack-every", String.valueOf(INSERT_BATCH),
				"--time", String.valueOf(seconds)));
		if (rate > 0) {
			command.addAll(List.of("--rate", String.valueOf(rate / PRODUCERS)));
		}
		Path log = report.dir().resolve("tools/" + name + ".log");
		CpuCost cost = CpuCost.start();
		String output;
		try {
			output = Tools.run(command, log);
		}
		finally {
			try (var connection = TestServices.rabbitConnectionFactory().newConnection();
					Channel channel = connection.createChannel()) {
				for (String queue : topology.shardQueues()) {
					channel.queueDelete(queue);
				}
			}
		}
		double sent = Tools.figure(output, PERF_TEST_SENT, log);
		double received = Tools.figure(output, PERF_TEST_RECEIVED, log);
		Matcher confirm = PERF_TEST_CONFIRM.matcher(output);
		double confirmP99 = confirm.find() ? Double.parseDouble(confirm.group(5)) / 1000 : 0;
		double rabbitMicros = cost.microsPerRequest(received * seconds).getOrDefault("RabbitMQ", 0.0);
		return new PerfTestRun(sent, received, confirmP99, rabbitMicros);
	}

	private record PerfTestRun(double published, double consumed, double confirmP99Millis, double cpuMicros) {
	}

	/**
	 * Rows/s through the consumer's {@link StoreStatements}, as pgbench transactions of
	 * one batch of {@value #INSERT_BATCH} chats each. pgbench cannot bind the statements'
	 * arrays from a result of several rows, so the positions that the consumer computes
	 * from the upsert's answer are read back with one more statement.
	 */
	static double pgbenchInsert(Report report, String database, boolean quick) throws Exception {
		String text = "about forty characters, as chats average";
		String script = """
				\\set base random(0, 99) * %1$d
				SELECT array_agg('bench' || :client_id::int || 'x' || (:base::int + g) || ':' || 'peer' ORDER BY g)::text AS chats,
				       array_agg(gen_random_uuid() ORDER BY g)::text AS ids,
				       array_agg(1 ORDER BY g)::text AS counts,
				       array_agg('peer'::text ORDER BY g)::text AS senders,
				       array_agg('%2$s'::text ORDER BY g)::text AS texts,
				       array_agg((extract(epoch FROM now()) * 1000)::bigint ORDER BY g)::text AS accepted
				FROM generate_series(1, %1$d) g \\gset
				BEGIN;
				%3$s;
				%4$s;
				SELECT array_agg(c.last_seq ORDER BY k.i)::text AS seqs
				FROM unnest(:chats::text[]) WITH ORDINALITY AS k(chat, i) JOIN chats c USING (chat) \\gset
				%5$s;
				COMMIT;
				"""
			.formatted(INSERT_BATCH, text, bind(StoreStatements.FIND_STORED, "chats", "ids"),
					bind(StoreStatements.RESERVE_POSITIONS, "chats", "counts"),
					bind(StoreStatements.INSERT_MESSAGES, "chats", "seqs", "ids", "senders", "texts", "accepted"));
		double tps = pgbench(report, database, script, "insert", quick);
		double rows = tps * INSERT_BATCH;
		System.out.printf("  pgbench insert: %.0f batches/s = %.0f rows/s%n", tps, rows);
		return rows;
	}

	/**
	 * Page queries/s of the query API's {@link PageQueries} on the pull table: a hot chat
	 * forward and newest first, a cold chat backward, pages of 10 (+ 1), at random
	 * positions. The chats' names are made by one more statement per transaction.
	 */
	static double pgbenchPages(Report report, String database, PullScenario.Table table, boolean quick)
			throws Exception {
		// pgbench takes ":name" for a variable even inside a string literal.
		String suffix = PullScenario.Table.chat("", 0).substring(1).replace(":", "' || ':' || '");
		String script = """
				\\set hot random(0, %d)
				\\set cold random(0, %d)
				\\set hotseq random(1, %d)
				\\set coldseq random(1, %d)
				\\set rows 11
				SELECT 'hot' || :hot::int || '%5$s' AS hotchat, 'cold' || :cold::int || '%5$s' AS coldchat \\gset
				%6$s;
				%7$s;
				%8$s;
				""".formatted(table.hotChats() - 1, table.coldChats() - 1, table.hotLength(), table.coldLength(),
				suffix, bind(PageQueries.ASCENDING, "hotchat", "hotseq", "rows"),
				bind(PageQueries.DESCENDING, "coldchat", "coldseq", "rows"),
				bind(PageQueries.NEWEST_FIRST, "hotchat", "rows"));
		double tps = pgbench(report, database, script, "pages", quick);
		double pages = tps * PAGES_PER_TRANSACTION;
		System.out.printf("  pgbench pages: %.0f queries/s%n", pages);
		return pages;
	}

	/**
	 * A statement of the code with its JDBC parameters ({@code ?}) turned into pgbench
	 * variables, in order.
	 */
	static String bind(String sql, String... variables) {
		StringBuilder bound = new StringBuilder();
		int next = 0;
		for (char c : sql.toCharArray()) {
			if (c == '?') {
				if (next == variables.length) {
					throw new IllegalArgumentException("more parameters than variables in: " + sql);
				}
				bound.append(':').append(variables[next++]);
			}
			else {
				bound.append(c);
			}
		}
		if (next != variables.length) {
			throw new IllegalArgumentException("fewer parameters than variables in: " + sql);
		}
		return bound.toString();
	}

	private static double pgbench(Report report, String database, String script, String name, boolean quick)
			throws Exception {
		if (!Tools.works("pgbench", "--version")) {
			System.out.println("  (pgbench not installed or not runnable: it comes with PostgreSQL's server package; "
					+ "skipped)");
			return 0;
		}
		PostgresService postgres = TestServices.postgres();
		Path file = report.dir().resolve("tools/pgbench-" + name + ".sql");
		Files.createDirectories(file.getParent());
		Files.writeString(file, script);
		Path log = report.dir().resolve("tools/pgbench-" + name + ".log");
		String output = Tools.run(List.of("pgbench", "-h", postgres.host(), "-p", String.valueOf(postgres.port()), "-U",
				postgres.username(), "-n", "-M", "prepared", "-c", "8", "-j", "2", "-T", quick ? "2" : "10", "-f",
				file.toString(), database), log);
		return Tools.figure(output, PGBENCH_TPS, log);
	}

	static Map<String, Object> json(Limits limits) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("rabbitmq_perftest_publish_per_s", limits.broker().published());
		json.put("rabbitmq_perftest_consume_per_s", limits.broker().consumed());
		json.put("rabbitmq_perftest_message_bytes", limits.broker().messageSize());
		json.put("rabbitmq_perftest_in_flight", IN_FLIGHT);
		json.put("rabbitmq_perftest_confirm_p99_ms", limits.broker().confirmP99Millis());
		json.put("rabbitmq_perftest_rabbitmq_cpu_us_per_message", limits.broker().cpuMicros());
		json.put("rabbitmq_perftest_paced_per_s", PACED_RATE);
		json.put("rabbitmq_perftest_paced_rabbitmq_cpu_us_per_message", limits.broker().pacedCpuMicros());
		json.put("postgres_insert_rows_per_s", limits.postgresInsertRows());
		json.put("postgres_page_queries_per_s", limits.postgresPages());
		return json;
	}

	static String markdown(Limits limits) {
		return String.format(Locale.ROOT,
				"""
						| raw limit | tool | figure |
						|---|---|---:|
						| RabbitMQ publish over chatpipe's %d shard queues (quorum, their arguments), persistent %d-B messages \
						(the pipeline's mean), mandatory, %d awaiting confirms over %d channels | PerfTest | %s msg/s \
						(confirm p99 %.1f ms; RabbitMQ's CPU %.0f µs/msg) |
						| RabbitMQ consume, a consumer per shard, manual acks every %d, prefetch 500 | PerfTest | %s msg/s |
						| RabbitMQ's CPU a message when paced at %,d msg/s (the live-stream scenario's rate), the same \
						queues and flags | PerfTest `--rate` | %.0f µs/msg |
						| PostgreSQL insert, the consumer's statements, batches of %d chats | pgbench, 8 clients | %s rows/s |
						| PostgreSQL page query (the query API's, limit 10 + 1) on the pull table | pgbench, 8 clients | %s queries/s |
						""",
				Topology.DEFAULT_SHARDS, limits.broker().messageSize(), IN_FLIGHT, PRODUCERS,
				Report.format(limits.broker().published()), limits.broker().confirmP99Millis(),
				limits.broker().cpuMicros(), INSERT_BATCH, Report.format(limits.broker().consumed()), PACED_RATE,
				limits.broker().pacedCpuMicros(), INSERT_BATCH, Report.format(limits.postgresInsertRows()),
				Report.format(limits.postgresPages()));
	}

}
