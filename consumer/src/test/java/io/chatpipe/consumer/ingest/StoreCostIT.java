package io.chatpipe.consumer.ingest;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a batch costs PostgreSQL must not grow with the table. The consumer starts on an
 * empty table; a plan chosen then and kept for the connection's life (a server-side
 * prepared statement's generic plan) scans the whole table to find a batch's stored ids,
 * so each batch would read every message stored before it. Where autovacuum does not run
 * ANALYZE nothing ever replaces that plan.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class StoreCostIT {

	static final Topology topology = TestServices.isolatedTopology(2, 5);

	static final String database = TestServices.newDatabase();

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	MessageStore store;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.rabbitProperties(), TestServices.postgresProperties(database),
				TestServices.topologyProperties(topology));
	}

	@Test
	void batchesStoredAfterTheTableGrewFromEmptyNeverScanIt() {
		for (int i = 0; i < 10; i++) {
			this.store.store(batch("early" + i));
		}
		this.jdbc
			.update("""
					INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)
					SELECT 'bulk1:bulk2', n, gen_random_uuid(), 'bulk1', 'x', 0, now() FROM generate_series(1, 100000) n""");
		long scansBefore = tableScansOnceCounted(10 * 10 + 100_000);

		for (int i = 0; i < 20; i++) {
			assertThat(this.store.store(batch("late" + i)).stored()).hasSize(10);
		}

		assertThat(tableScansOnceCounted(30 * 10 + 100_000) - scansBefore)
			.as("full scans of messages while storing 20 batches into 100,000 rows")
			.isZero();
	}

	/** Ten messages over five chats. */
	private static List<ChatMessage> batch(String name) {
		return IntStream.range(0, 10)
			.mapToObj((i) -> RawQueues.message(name + "x" + (i % 5) + ":peer", "peer", "m" + i))
			.toList();
	}

	/**
	 * Sequential scans of {@code messages} so far, read once PostgreSQL's statistics
	 * count all the rows inserted (each backend reports its counters a while after its
	 * transactions).
	 */
	private long tableScansOnceCounted(long inserted) {
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.jdbc.queryForObject(
					"SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'messages'", Long.class) >= inserted);
		return this.jdbc.queryForObject("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'messages'",
				Long.class);
	}

}
