package io.chatpipe.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.rabbitmq.client.Channel;
import io.chatpipe.testsupport.PostgresService;
import io.chatpipe.testsupport.RabbitService;
import io.chatpipe.testsupport.TestServices;

/**
 * The same box's raw limits, with chatpipe's settings: RabbitMQ PerfTest (quorum queue,
 * persistent 200-byte messages, publisher confirms, one consumer with manual acks) and
 * pgbench running the consumer's batch statements and the query API's page query.
 */
final class RawLimits {

	private static final Pattern PERF_TEST_SENT = Pattern.compile("sending rate avg: ([0-9,]+) msg/s");

	private static final Pattern PERF_TEST_RECEIVED = Pattern.compile("receiving rate avg: ([0-9,]+) msg/s");

	// pgbench replaces ":name" even inside string literals, hence ':' || 'peer'.
	private static final Pattern PGBENCH_TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

	/** Messages per pgbench insert transaction: one consumer batch of this many chats. */
	static final int INSERT_BATCH = 50;

	private RawLimits() {
	}

	/**
	 * The raw figures.
	 *
	 * @param rabbitPublish PerfTest messages/s published (confirmed)
	 * @param rabbitConsume PerfTest messages/s consumed (acked)
	 * @param postgresInsertRows pgbench rows/s through the consumer's statements
	 * @param postgresPages pgbench page queries/s on the pull table
	 */
	record Limits(double rabbitPublish, double rabbitConsume, double postgresInsertRows, double postgresPages) {
	}

	static double[] perfTest(Report report, boolean quick) throws Exception {
		RabbitService rabbit = TestServices.rabbit();
		String queue = "chatpipe-perftest-" + System.nanoTime();
		String uri = "amqp://" + rabbit.username() + ":" + rabbit.password() + "@" + rabbit.host() + ":"
				+ rabbit.port();
		List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
				"-Xmx256m", "-cp", System.getProperty("java.class.path"), "com.rabbitmq.perf.PerfTest", "--uri", uri,
				"--queue", queue, "--queue-args", "x-queue-type=quorum", "--auto-delete", "false", "--flag",
				"persistent", "--confirm", "500", "--size", "200", "--producers", "1", "--consumers", "1", "--qos",
				"500", "--multi-ack-every", "100", "--time", quick ? "3" : "20"));
		Path log = report.dir().resolve("tools/perftest.log");
		String output = Tools.run(command, log);
		double sent = Tools.figure(output, PERF_TEST_SENT, log);
		double received = Tools.figure(output, PERF_TEST_RECEIVED, log);
		try (var connection = TestServices.rabbitConnectionFactory().newConnection();
				Channel channel = connection.createChannel()) {
			channel.queueDelete(queue);
		}
		System.out.printf("  PerfTest: published %.0f msg/s, consumed %.0f msg/s%n", sent, received);
		return new double[] { sent, received };
	}

	/**
	 * Rows/s through the consumer's store statements, as pgbench transactions of one
	 * batch each.
	 */
	static double pgbenchInsert(Report report, String database, boolean quick) throws Exception {
		String script = """
				\\set chats %d
				\\set base random(0, 99) * :chats
				BEGIN;
				SELECT m.chat, m.message_id FROM messages m
				JOIN unnest(ARRAY(SELECT 'bench' || :client_id::int || 'x' || (:base::int + g) || ':' || 'peer' FROM generate_series(1, :chats::int) g),
				            ARRAY(SELECT gen_random_uuid() FROM generate_series(1, :chats::int))) AS k(chat, message_id) USING (chat, message_id);
				WITH reserved AS (
				  INSERT INTO chats (chat, last_seq)
				  SELECT chat, n FROM unnest(ARRAY(SELECT 'bench' || :client_id::int || 'x' || (:base::int + g) || ':' || 'peer' FROM generate_series(1, :chats::int) g),
				                             ARRAY(SELECT 1::bigint FROM generate_series(1, :chats::int))) AS r(chat, n) ORDER BY chat
				  ON CONFLICT (chat) DO UPDATE SET last_seq = chats.last_seq + EXCLUDED.last_seq
				  RETURNING chat, last_seq)
				INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)
				SELECT chat, last_seq, gen_random_uuid(), 'peer', 'message of a benchmark run, about a short chat line',
				       extract(epoch FROM now())::bigint, now() FROM reserved;
				COMMIT;
				"""
			.formatted(INSERT_BATCH);
		double tps = pgbench(report, database, script, "insert", quick);
		double rows = tps * INSERT_BATCH;
		System.out.printf("  pgbench insert: %.0f batches/s = %.0f rows/s%n", tps, rows);
		return rows;
	}

	/**
	 * Page queries/s of the query API's page query on the pull table (hot and cold, both
	 * directions).
	 */
	static double pgbenchPages(Report report, String database, PullScenario.Table table, boolean quick)
			throws Exception {
		String script = """
				\\set hot random(0, %d)
				\\set cold random(0, %d)
				\\set hotseq random(1, %d)
				\\set coldseq random(1, %d)
				SELECT chat, seq, message_id, sender, text, send_time FROM messages WHERE chat = 'hot' || :hot::int || ':' || 'peer' AND seq >= :hotseq::bigint ORDER BY seq LIMIT 11;
				SELECT chat, seq, message_id, sender, text, send_time FROM messages WHERE chat = 'cold' || :cold::int || ':' || 'peer' AND seq <= :coldseq::bigint ORDER BY seq DESC LIMIT 11;
				"""
			.formatted(table.hotChats() - 1, table.coldChats() - 1, table.hotLength(), table.coldLength());
		double tps = pgbench(report, database, script, "pages", quick);
		double pages = tps * 2;
		System.out.printf("  pgbench pages: %.0f queries/s%n", pages);
		return pages;
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
		json.put("rabbitmq_perftest_publish_per_s", limits.rabbitPublish());
		json.put("rabbitmq_perftest_consume_per_s", limits.rabbitConsume());
		json.put("postgres_insert_rows_per_s", limits.postgresInsertRows());
		json.put("postgres_page_queries_per_s", limits.postgresPages());
		return json;
	}

	static String markdown(Limits limits) {
		return String.format(Locale.ROOT, """
				| raw limit | tool | figure |
				|---|---|---:|
				| RabbitMQ publish, quorum queue, persistent 200 B, confirms | PerfTest | %s msg/s |
				| RabbitMQ consume, manual ack, prefetch 500 | PerfTest | %s msg/s |
				| PostgreSQL insert, the consumer's statements, batches of %d chats | pgbench, 8 clients | %s rows/s |
				| PostgreSQL page query (limit 10 + 1) on the pull table | pgbench, 8 clients | %s queries/s |
				""", Report.format(limits.rabbitPublish()), Report.format(limits.rabbitConsume()), INSERT_BATCH,
				Report.format(limits.postgresInsertRows()), Report.format(limits.postgresPages()));
	}

}
