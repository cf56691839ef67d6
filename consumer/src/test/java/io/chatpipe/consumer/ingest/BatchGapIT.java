package io.chatpipe.consumer.ingest;

import java.time.Duration;
import java.util.List;

import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code chatpipe.consumer.batch-gap} against the real RabbitMQ and PostgreSQL: a batch
 * is stored as soon as no message came for the gap, not only when {@code batch-wait} ran
 * out, so a quiet shard stores a message at once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "chatpipe.consumer.batch-wait=5s", "chatpipe.consumer.batch-gap=20ms" })
class BatchGapIT {

	static final Topology topology = TestServices.isolatedTopology(2, 5);

	static final String database = TestServices.newDatabase();

	static RawQueues queues;

	final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestServices.postgres().jdbcUrl(database),
			TestServices.postgres().username(), TestServices.postgres().password()));

	@Autowired
	AmqpAdmin admin;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.rabbitProperties(), TestServices.postgresProperties(database),
				TestServices.topologyProperties(topology));
	}

	@BeforeAll
	static void connect() throws Exception {
		queues = new RawQueues(topology);
	}

	@AfterAll
	static void disconnect() throws Exception {
		queues.close();
	}

	@Test
	void aMessageOnAQuietShardIsStoredAfterTheGapNotAfterTheBatchWait() throws Exception {
		this.admin.initialize();
		// The first message waits for the shard to be taken (and with a 5-s batch-wait
		// for the batch under way then); the test times the ones after it.
		queues.publish(List.of(RawQueues.message("gap1:gap2", "gap1", "first")));
		await().atMost(Duration.ofSeconds(30)).until(() -> stored() == 1);
		for (int i = 2; i <= 4; i++) {
			long sent = System.nanoTime();
			queues.publish(List.of(RawQueues.message("gap1:gap2", "gap1", "quiet " + i)));
			long expected = i;
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(10))
				.until(() -> stored() == expected);
			// With a 5-s batch-wait alone, each would wait up to 5 s for more.
			assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(1));
		}
	}

	private long stored() {
		return this.jdbc.queryForObject("SELECT count(*) FROM messages WHERE chat = 'gap1:gap2'", Long.class);
	}

}
