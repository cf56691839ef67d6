package io.chatpipe.consumer.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import com.rabbitmq.client.GetResponse;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.Topology;
import io.chatpipe.model.WireFormat;
import io.chatpipe.testsupport.TestServices;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The consumer against the real RabbitMQ and PostgreSQL: messages are fed straight into
 * its shard queues.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "chatpipe.consumer.batch-wait=20ms", "chatpipe.consumer.retry.max-backoff=300ms" })
class IngestIT {

	static final Topology topology = TestServices.isolatedTopology(4, 5);

	static final String database = TestServices.newDatabase();

	static RawQueues queues;

	/**
	 * The test's own reads and schema changes, on a new connection each: the tests end
	 * the database's sessions, and a pooled connection could be one of them.
	 */
	final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestServices.postgres().jdbcUrl(database),
			TestServices.postgres().username(), TestServices.postgres().password()));

	/** Every chat's seq in the stored notices a test took, the newest notice winning. */
	final Map<String, Long> announced = new ConcurrentHashMap<>();

	@Autowired
	MessageStore store;

	@Autowired
	HealthEndpoint health;

	@Autowired
	MeterRegistry meters;

	@Autowired
	AmqpAdmin admin;

	@Autowired
	RabbitTemplate rabbit;

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

	/**
	 * The consumer declares the topology in the background, on its first connection: a
	 * test feeds the queues only once it is declared.
	 */
	@BeforeEach
	void declareTheTopology() {
		this.admin.initialize();
	}

	@Test
	void messagesAreStoredInQueueOrderWithGapFreeSeqPerChat() throws Exception {
		List<ChatMessage> sent = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			boolean first = i % 3 == 0;
			sent.add(
					RawQueues.message(first ? "order1:order2" : "order3:order4", first ? "order1" : "order4", "m" + i));
		}
		queues.publish(sent);

		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(
					() -> assertThat(storedCount("order1:order2") + storedCount("order3:order4")).isEqualTo(300));
		assertThat(texts("order1:order2")).containsExactlyElementsOf(
				sent.stream().filter((m) -> m.chat().value().equals("order1:order2")).map(ChatMessage::text).toList());
		assertThat(seqs("order1:order2")).containsExactlyElementsOf(range(1, 100));
		assertThat(seqs("order3:order4")).containsExactlyElementsOf(range(1, 200));
	}

	@Test
	void aRedeliveredMessageIsStoredOnce() throws Exception {
		List<ChatMessage> first = List.of(RawQueues.message("redo1:redo2", "redo1", "one"),
				RawQueues.message("redo1:redo2", "redo2", "two"));
		queues.publish(first);
		await().atMost(Duration.ofSeconds(20)).until(() -> storedCount("redo1:redo2") == 2);
		double duplicatesBefore = duplicatesSkipped();

		// What a redelivery, or a publisher resending an unconfirmed message, looks like:
		// the same ids again.
		queues.publish(first);
		ChatMessage third = RawQueues.message("redo1:redo2", "redo1", "three");
		queues.publish(List.of(first.get(1), third, first.get(0)));

		// Every copy has been taken off the queue and judged, not merely the new one
		// stored.
		await().atMost(Duration.ofSeconds(20)).until(() -> duplicatesSkipped() - duplicatesBefore == 4);
		assertThat(texts("redo1:redo2")).containsExactly("one", "two", "three");
		assertThat(seqs("redo1:redo2")).containsExactly(1L, 2L, 3L);
	}

	@Test
	void eachStoredBatchIsAnnouncedWithEachChatsLastSeqAndARedeliveryIsAnnouncedAgain() throws Exception {
		String notices = queues.listenToStoredNotices();
		List<ChatMessage> first = List.of(RawQueues.message("news1:news2", "news1", "one"),
				RawQueues.message("news1:news2", "news2", "two"), RawQueues.message("news3:news4", "news3", "three"));
		queues.publish(first);
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(announcedLastSeqs(notices)).containsEntry("news1:news2", 2L)
				.containsEntry("news3:news4", 1L));

		// A consumer that stored a batch and died before its ack announces nothing new
		// the second time, but announces: the first announcement may be what was lost.
		queues.publish(first.subList(2, 3));
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(announcedLastSeqs(notices)).containsEntry("news3:news4", 0L));
	}

	/** Every chat's seq in the notices taken so far, the newest notice winning. */
	private Map<String, Long> announcedLastSeqs(String queue) throws Exception {
		queues.drainNotices(queue).forEach((notice) -> this.announced.putAll(notice.chats()));
		return this.announced;
	}

	@Test
	void noticesAndDeadLettersArePublishedOnAConnectionOtherThanTheListenersOnes() {
		// A broker alarm blocks a connection that publishes, acks and all: the
		// listeners' connection must never publish.
		assertThat(this.rabbit.isUsePublisherConnection()).isTrue();
		assertThat(this.rabbit.getConnectionFactory().getPublisherConnectionFactory())
			.isNotSameAs(this.rabbit.getConnectionFactory());
	}

	@Test
	void storingTheSameBatchTwiceStoresItOnceAndCountsTheDuplicates() {
		List<ChatMessage> batch = List.of(RawQueues.message("twice1:twice2", "twice1", "a"),
				RawQueues.message("twice1:twice3", "twice3", "b"), RawQueues.message("twice1:twice2", "twice2", "c"));

		StoreOutcome first = this.store.store(batch);
		StoreOutcome second = this.store.store(batch);

		assertThat(first.stored()).hasSize(3);
		assertThat(second.stored()).isEmpty();
		assertThat(second.duplicates()).isEqualTo(3);
		assertThat(seqs("twice1:twice2")).containsExactly(1L, 2L);
		assertThat(seqs("twice1:twice3")).containsExactly(1L);
	}

	@Test
	void poisonIsDeadLetteredWithItsReasonAndTheRestOfItsBatchIsStored() throws Exception {
		ChatMessage before = RawQueues.message("poison1:poison2", "poison1", "before");
		ChatMessage after = RawQueues.message("poison1:poison2", "poison2", "after");
		int shard = topology.shardOf(before.chat());
		String brokenRule = new String(WireFormat.encode(RawQueues.message("poison1:poison2", "poison1", "x")),
				StandardCharsets.UTF_8)
			.replace("\"sender\":\"poison1\"", "\"sender\":\"intruder\"");

		queues.publish(List.of(before));
		queues.publishRaw(shard, new byte[] { (byte) 0xff, 0x00, 0x13 }, "garbage");
		queues.publishRaw(shard, "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8), "not-a-message");
		queues.publishRaw(shard, brokenRule.getBytes(StandardCharsets.UTF_8), "broken-rule");
		queues.publish(List.of(after));

		await().atMost(Duration.ofSeconds(20)).until(() -> storedCount("poison1:poison2") == 2);
		List<GetResponse> deadLetters = new ArrayList<>();
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			deadLetters.addAll(queues.drainDeadLetters());
			assertThat(deadLetters).hasSize(3);
		});
		assertThat(deadLetters).extracting((letter) -> letter.getProps().getMessageId())
			.containsExactly("garbage", "not-a-message", "broken-rule");
		assertThat(deadLetters).extracting(RawQueues::reason)
			.satisfiesExactly((reason) -> assertThat(reason).startsWith("undecodable: not JSON"),
					(reason) -> assertThat(reason).startsWith("not a message:"),
					(reason) -> assertThat(reason).contains("sender: must be one of the chat's members"));
		assertThat(deadLetters)
			.allSatisfy((letter) -> assertThat(letter.getProps().getHeaders().get(Topology.SOURCE_QUEUE_HEADER))
				.hasToString(topology.shardQueue(shard)));
		assertThat(RawQueues.body(deadLetters.get(2))).isEqualTo(brokenRule);
		assertThat(texts("poison1:poison2")).containsExactly("before", "after");
	}

	@Test
	void aDatabaseOutageDeadLettersNothingAndTheBacklogIsStoredOnceItEnds() throws Exception {
		long deadLettersBefore = queues.readyCount(topology.deadLetterQueue());
		List<ChatMessage> sent = IntStream.range(0, 40)
			.mapToObj((i) -> RawQueues.message("outage1:outage2", "outage" + (1 + i % 2), "o" + i))
			.toList();
		TestServices.execute(TestServices.postgres(), "ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
		try {
			TestServices.execute(TestServices.postgres(),
					"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
			queues.publish(sent);

			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.health.healthForPath("readiness").getStatus().equals(Status.DOWN));
			await().during(Duration.ofSeconds(3))
				.atMost(Duration.ofSeconds(5))
				.until(() -> queues.readyCount(topology.deadLetterQueue()) == deadLettersBefore);
		}
		finally {
			TestServices.execute(TestServices.postgres(), "ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
		}

		await().atMost(Duration.ofSeconds(30)).until(() -> storedCount("outage1:outage2") == 40);
		assertThat(texts("outage1:outage2")).containsExactlyElementsOf(sent.stream().map(ChatMessage::text).toList());
		assertThat(seqs("outage1:outage2")).containsExactlyElementsOf(range(1, 40));
		assertThat(queues.readyCount(topology.deadLetterQueue())).isEqualTo(deadLettersBefore);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.health.healthForPath("readiness").getStatus().equals(Status.UP));
	}

	@Test
	void aReadOnlyDatabaseDeadLettersNothingAndTheBatchIsStoredOnceItIsWritable() throws Exception {
		// What a pooled connection meets on a demoted primary after a failover: SQLSTATE
		// 25006.
		notReadyYet("readonly1:readonly2", () -> {
			TestServices.execute(TestServices.postgres(),
					"ALTER DATABASE " + database + " SET default_transaction_read_only = on");
			TestServices.execute(TestServices.postgres(), reconnect());
		}, () -> {
			TestServices.execute(TestServices.postgres(),
					"ALTER DATABASE " + database + " RESET default_transaction_read_only");
			TestServices.execute(TestServices.postgres(), reconnect());
		});
	}

	@Test
	void aColumnNotMigratedYetDeadLettersNothingAndTheBatchIsStoredOnceItIs() throws Exception {
		// SQLSTATE 42703, as for a consumer that starts before the migration that adds a
		// column it writes.
		notReadyYet("column1:column2", () -> this.jdbc.execute("ALTER TABLE messages RENAME COLUMN text TO text_later"),
				() -> this.jdbc.execute("ALTER TABLE messages RENAME COLUMN text_later TO text"));
	}

	@Test
	void aFunctionNotMigratedYetDeadLettersNothingAndTheBatchIsStoredOnceItIs() throws Exception {
		// SQLSTATE 42883: a migration half applied, its trigger there but not yet the
		// function the trigger calls.
		notReadyYet("function1:function2", () -> this.jdbc.execute("""
				CREATE FUNCTION check_later() RETURNS trigger LANGUAGE plpgsql AS
				  $$ BEGIN PERFORM migrated_later(NEW.chat); RETURN NEW; END $$;
				CREATE TRIGGER check_later BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION check_later()"""),
				() -> this.jdbc
					.execute("CREATE FUNCTION migrated_later(text) RETURNS void LANGUAGE sql AS 'SELECT NULL'"));
		this.jdbc.execute("""
				DROP TRIGGER check_later ON messages;
				DROP FUNCTION check_later();
				DROP FUNCTION migrated_later(text)""");
	}

	/**
	 * Feeds a chat's messages while the database cannot take them (after {@code cause}),
	 * checks that nothing is stored or dead-lettered meanwhile, then ends the cause and
	 * checks that every message is stored once, in order.
	 */
	private void notReadyYet(String chat, Runnable cause, Runnable end) throws Exception {
		long deadLettersBefore = queues.readyCount(topology.deadLetterQueue());
		String[] members = chat.split(":");
		List<ChatMessage> sent = IntStream.range(0, 30)
			.mapToObj((i) -> RawQueues.message(chat, members[i % 2], "n" + i))
			.toList();
		cause.run();
		try {
			queues.publish(sent);
			await().during(Duration.ofSeconds(3))
				.atMost(Duration.ofSeconds(5))
				.until(() -> queues.readyCount(topology.deadLetterQueue()) == deadLettersBefore
						&& storedCount(chat) == 0);
		}
		finally {
			end.run();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(chat) == 30);
		assertThat(texts(chat)).containsExactlyElementsOf(sent.stream().map(ChatMessage::text).toList());
		assertThat(seqs(chat)).containsExactlyElementsOf(range(1, 30));
		assertThat(queues.readyCount(topology.deadLetterQueue())).isEqualTo(deadLettersBefore);
	}

	/** Ends the test database's sessions, so that the pools connect again. */
	private static String reconnect() {
		return "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'";
	}

	private double duplicatesSkipped() {
		return this.meters.get("chatpipe.consumer.messages").tag("outcome", "duplicate").functionCounter().count();
	}

	private long storedCount(String chat) {
		return this.jdbc.queryForObject("SELECT count(*) FROM messages WHERE chat = ?", Long.class, chat);
	}

	private List<String> texts(String chat) {
		return this.jdbc.queryForList("SELECT text FROM messages WHERE chat = ? ORDER BY seq", String.class, chat);
	}

	private List<Long> seqs(String chat) {
		return this.jdbc.queryForList("SELECT seq FROM messages WHERE chat = ? ORDER BY seq", Long.class, chat);
	}

	private static List<Long> range(long first, long last) {
		return LongStream.rangeClosed(first, last).boxed().toList();
	}

}
