package io.chatpipe.perf;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.PostgresService;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;

/**
 * The services the benchmark runs against (RabbitMQ and PostgreSQL as the tests find
 * them: environment, localhost, else Testcontainers) and the tiers' properties for a
 * topology and a database.
 */
final class Stack {

	static final Duration READY = Duration.ofSeconds(120);

	private Stack() {
	}

	static Map<String, Object> broker(Topology topology) {
		Map<String, Object> properties = new HashMap<>(TestServices.rabbitProperties());
		properties.putAll(TestServices.topologyProperties(topology));
		return properties;
	}

	static Map<String, Object> brokerAndDatabase(Topology topology, String database) {
		Map<String, Object> properties = broker(topology);
		properties.putAll(TestServices.postgresProperties(database));
		return properties;
	}

	static Connection connect(String database) throws SQLException {
		return TestServices.postgres().connect(database);
	}

	static long count(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	/**
	 * After a warm-up: waits until the consumer stored everything queued (the row count
	 * stopped growing for two seconds), then 15 s more, so that neither the backlog nor
	 * what storing it leaves to do (PostgreSQL's autovacuum of the new rows, RabbitMQ's
	 * segment writes) weighs on the steps measured next.
	 */
	static void settle(Connection db) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
		long last = -1;
		int unchanged = 0;
		while (unchanged < 2 && System.nanoTime() < deadline) {
			long now = count(db, "SELECT count(*) FROM messages");
			unchanged = (now == last) ? unchanged + 1 : 0;
			last = now;
			Thread.sleep(1000);
		}
		Thread.sleep(15_000);
	}

	/** Creates the database unless it exists, and gives it the schema. */
	static void ensureDatabase(String database) throws Exception {
		PostgresService postgres = TestServices.postgres();
		try (Connection admin = connect(postgres.adminDatabase())) {
			if (count(admin, "SELECT count(*) FROM pg_database WHERE datname = '" + database + "'") == 0) {
				admin.createStatement().execute("CREATE DATABASE " + database);
			}
		}
		Map<String, Object> properties = brokerAndDatabase(TestServices.isolatedTopology(1, 20), database);
		properties.put("chatpipe.consumer.migrate-only", "true");
		int exit = Tier.start("consumer", properties).awaitExit(READY);
		if (exit != 0) {
			throw new IllegalStateException("the schema migration of " + database + " exited " + exit);
		}
	}

	/** Records each tier's resident set size and its high-water mark so far. */
	static void sample(Report report, Tier... tiers) {
		for (Tier tier : tiers) {
			report.resident(tier.name(), tier.residentKib(), tier.highWaterKib());
		}
	}

	/**
	 * Sends over 200 chats whose names start with {@code prefix}, with texts as people
	 * write them ({@link Payloads}): request {@code i} takes the {@code i}-th of a few
	 * thousand bodies made ahead.
	 */
	static LongFunction<OpenModelLoad.Request> sends(URI uri, String prefix) {
		List<String> bodies = Payloads.sendBodies(prefix, 200, 5_000, prefix.hashCode());
		return (i) -> OpenModelLoad.Request.post(uri, bodies.get((int) (i % bodies.size())));
	}

}
