package io.chatpipe.query.pull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.chatpipe.model.StoredNotice;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.EventStream;
import io.chatpipe.testsupport.OpenApiContract;
import io.chatpipe.testsupport.TestServices;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Long-polls and streams against the real PostgreSQL and RabbitMQ. Messages are stored as
 * the consumer stores them and announced as it announces them; the readers' own re-read
 * comes only every minute here, so a message that arrives within seconds arrived by its
 * wake-up.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chatpipe.query.live.recheck-interval=60s", "chatpipe.query.live.heartbeat=1s",
				"chatpipe.query.live.idle-timeout=4s", "chatpipe.query.live.max-subscribers=6" })
class LiveIT {

	static final Topology topology = TestServices.isolatedTopology(1, 5);

	static final String database = TestServices.newDatabase();

	static final ObjectMapper json = new ObjectMapper();

	static Connection rabbit;

	static Channel channel;

	@Autowired
	WebTestClient client;

	/** Every answer this test gets is held to the tier's OpenAPI document. */
	@BeforeEach
	void checkAnswersAgainstTheApiDocument() {
		this.client = OpenApiContract.checking(this.client);
	}

	@Autowired
	JdbcTemplate jdbc;

	@LocalServerPort
	int port;

	/** The last seq stored in each chat. */
	final Map<String, AtomicLong> lastSeqs = new ConcurrentHashMap<>();

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.postgresProperties(database), TestServices.rabbitProperties(),
				TestServices.topologyProperties(topology));
	}

	@BeforeAll
	static void migrateAndConnect() throws Exception {
		var service = TestServices.postgres();
		Flyway.configure()
			.dataSource(service.jdbcUrl(database), service.username(), service.password())
			.load()
			.migrate();
		rabbit = TestServices.rabbitConnectionFactory().newConnection("live-it");
		channel = rabbit.createChannel();
	}

	@AfterAll
	static void disconnect() throws Exception {
		rabbit.close();
	}

	@Test
	void aLongPollAnswersAsSoonAsAMessageIsStored() {
		awaitBusUp();
		CompletableFuture<Page> answer = CompletableFuture
			.supplyAsync(() -> pull("/api/pull?chat=wait1:wait2&cursor=1&wait=30s"));
		sleep(Duration.ofMillis(500));
		assertThat(answer).isNotDone();
		long start = System.nanoTime();
		store("wait1:wait2", 1);

		Page page = answer.join();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		assertThat(page.messages()).extracting(Page.Message::seq).containsExactly(1L);
		assertThat(page.nextCursor()).isEqualTo(2);
	}

	@Test
	void aLongPollWithNothingStoredAnswersAnEmptyPageWithTheSameCursorWhenItsWaitRunsOut() {
		long start = System.nanoTime();
		Page page = pull("/api/pull?chat=idle1:idle2&cursor=5&wait=1500ms");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1400),
				Duration.ofSeconds(10));
		assertThat(page.messages()).isEmpty();
		assertThat(page.nextCursor()).isEqualTo(5);
	}

	@Test
	void aStreamSendsEveryMessageInOrderAsEventsIdentifiedBySeq() {
		awaitBusUp();
		store("flow1:flow2", 3);
		try (EventStream stream = open("/api/stream?chat=flow2:flow1", null)) {
			assertThat(stream.response().headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(MediaType.parseMediaType(type).isCompatibleWith(MediaType.TEXT_EVENT_STREAM))
						.isTrue());
			assertThat(stream.response().headers().firstValue("X-Accel-Buffering")).hasValue("no");
			assertThat(stream.response().headers().firstValue("Content-Encoding")).isEmpty();
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.events().size() == 3);

			store("flow1:flow2", 2);
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.events().size() == 5);
			assertThat(stream.events()).extracting(EventStream.Event::id).containsExactly("1", "2", "3", "4", "5");
			JsonNode first = read(stream.events().get(0).data());
			assertThat(first.get("chat").asText()).isEqualTo("flow1:flow2");
			assertThat(first.get("seq").asLong()).isEqualTo(1);
			assertThat(first.get("text").asText()).isEqualTo("flow1:flow2 #1");
			assertThat(first.has("message_id") && first.has("send_time") && first.has("sender")).isTrue();
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.comments() >= 2);
		}
	}

	@Test
	void aStreamResumedWithLastEventIdGoesOnRightAfterItAndLastEventIdWinsOverCursor() {
		awaitBusUp();
		store("resume1:resume2", 4);
		String last;
		try (EventStream stream = open("/api/stream?chat=resume1:resume2&cursor=2", null)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.events().size() == 3);
			assertThat(stream.events()).extracting(EventStream.Event::id).containsExactly("2", "3", "4");
			last = stream.events().get(0).id();
		}
		store("resume1:resume2", 1);
		try (EventStream stream = open("/api/stream?chat=resume1:resume2&cursor=1", last)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.events().size() == 3);
			sleep(Duration.ofMillis(500));
			assertThat(stream.events()).extracting(EventStream.Event::id).containsExactly("3", "4", "5");
		}
	}

	@Test
	void theTwoMembersStreamsOfAChatShareOneDatabaseReadPerWakeUp() {
		awaitBusUp();
		try (EventStream one = open("/api/stream?chat=share1:share2", null);
				EventStream other = open("/api/stream?chat=share2:share1", null)) {
			store("share1:share2", 1);
			await().atMost(Duration.ofSeconds(5)).until(() -> one.events().size() == 1 && other.events().size() == 1);
			double readsBefore = liveReads();
			for (int i = 2; i <= 11; i++) {
				store("share1:share2", 1);
				int expected = i;
				await().atMost(Duration.ofSeconds(5))
					.until(() -> one.events().size() == expected && other.events().size() == expected);
			}
			// Unshared, each wake-up would read twice: 20 reads.
			assertThat(liveReads() - readsBefore).isLessThanOrEqualTo(12);
			assertThat(other.events()).extracting(EventStream.Event::id)
				.containsExactlyElementsOf(LongStream.rangeClosed(1, 11).mapToObj(Long::toString).toList());
		}
	}

	@Test
	void aStreamIsNoActiveHttpServerRequestForAsLongAsItLasts() {
		awaitBusUp();
		double activeWithoutStreams = measurement("http.server.requests.active", "ACTIVE_TASKS");
		try (EventStream stream = open("/api/stream?chat=unobserved1:unobserved2", null)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.comments() >= 1);
			assertThat(measurement("http.server.requests.active", "ACTIVE_TASKS")).isEqualTo(activeWithoutStreams);
		}
	}

	/** The chats the live reads read: one a chat each batched read covered. */
	private double liveReads() {
		return measurement("chatpipe.query.live.read.chats", "TOTAL");
	}

	private double measurement(String meter, String statistic) {
		JsonNode metric = read(new String(this.client.get()
			.uri("/actuator/metrics/" + meter)
			.exchange()
			.expectBody()
			.returnResult()
			.getResponseBodyContent(), StandardCharsets.UTF_8));
		for (JsonNode measurement : metric.at("/measurements")) {
			if (statistic.equals(measurement.get("statistic").asText())) {
				return measurement.get("value").asDouble();
			}
		}
		throw new AssertionError("no " + statistic + " in " + metric);
	}

	@Test
	void aStreamWithoutAMessageForTheIdleTimeoutEndsAfterItsHeartbeats() {
		awaitBusUp();
		store("quiet1:quiet2", 1);
		double endedBefore = endedIdle();
		long start = System.nanoTime();
		try (EventStream stream = open("/api/stream?chat=quiet1:quiet2", null)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.events().size() == 1);
			await().atMost(Duration.ofSeconds(10)).until(stream::ended);
			// idle-timeout 4 s, checked at each 1-s heartbeat
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofSeconds(4),
					Duration.ofSeconds(7));
			assertThat(stream.comments()).as("heartbeats before it ended").isGreaterThanOrEqualTo(3);
			assertThat(stream.events()).extracting(EventStream.Event::id).containsExactly("1");
		}
		assertThat(endedIdle() - endedBefore).isEqualTo(1);
	}

	@Test
	void aStreamGetsHeartbeatsOnlyWhileItHasNoMessagesToSend() throws InterruptedException {
		awaitBusUp();
		try (EventStream stream = open("/api/stream?chat=busy1:busy2", null)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.comments() == 1);
			// A message every 100 ms for 3 s: three 1-s heartbeat ticks, none of them
			// due.
			for (int i = 1; i <= 30; i++) {
				store("busy1:busy2", 1);
				Thread.sleep(100);
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> stream.events().size() == 30);
			assertThat(stream.comments()).as("comments while busy: the stream's first line only").isEqualTo(1);
			await().atMost(Duration.ofSeconds(3)).until(() -> stream.comments() >= 2);
			assertThat(stream.ended()).isFalse();
		}
	}

	@Test
	void aReaderThatStopsReadingIsDroppedInsteadOfHeldWithEverythingItHasNotRead() throws IOException {
		awaitBusUp();
		// About 10 MB of events, more than the socket buffers hold (up to 4 MB here).
		String text = "x".repeat(4_000);
		this.jdbc.batchUpdate(
				"INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)"
						+ " VALUES ('slow1:slow2', ?, ?, 'slow1', ?, 1684770000, now())",
				LongStream.rangeClosed(1, 2_500)
					.mapToObj((seq) -> new Object[] { seq, UUID.randomUUID(), text })
					.toList());
		double droppedBefore = ended("slow");
		try (Socket reader = new Socket()) {
			reader.setReceiveBufferSize(4_096);
			reader.connect(new InetSocketAddress("127.0.0.1", this.port));
			reader.getOutputStream()
				.write(("GET /api/stream?chat=slow1:slow2 HTTP/1.1\r\nHost: localhost\r\n"
						+ "Accept: text/event-stream\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			// It reads nothing: two heartbeats (1 s here) find its socket full.
			await().atMost(Duration.ofSeconds(20)).until(() -> ended("slow") - droppedBefore == 1);
			// The server ended the response: reading on, the reader reaches its last
			// chunk.
			reader.setSoTimeout(10_000);
			InputStream in = reader.getInputStream();
			byte[] buffer = new byte[65_536];
			String tail = "";
			long read = 0;
			int n;
			while (!tail.endsWith("\r\n0\r\n\r\n") && (n = in.read(buffer)) >= 0) {
				read += n;
				tail = tail + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
				tail = tail.substring(Math.max(0, tail.length() - 16));
			}
			assertThat(tail).as("the response's last chunk").endsWith("\r\n0\r\n\r\n");
			assertThat(read).as("bytes the reader had been sent before it was dropped")
				.isLessThan(2_500L * text.length());
		}
	}

	private double endedIdle() {
		return ended("idle");
	}

	private double ended(String reason) {
		return read(new String(this.client.get()
			.uri("/actuator/metrics/chatpipe.query.live.streams.ended?tag=reason:" + reason)
			.exchange()
			.expectBody()
			.returnResult()
			.getResponseBodyContent(), StandardCharsets.UTF_8)).at("/measurements/0/value").asDouble();
	}

	@Test
	void pastTheSubscriberBoundANewStreamGets503WithRetryAfter() {
		List<EventStream> held = LongStream.range(0, 6)
			.mapToObj((i) -> open("/api/stream?chat=full1:full2", null))
			.toList();
		try {
			this.client.get()
				.uri("/api/stream?chat=full1:full2")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.exists("Retry-After")
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON);
			// Readiness does not depend on how many live readers there are.
			this.client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
		}
		finally {
			held.forEach(EventStream::close);
		}
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> this.client.get()
				.uri("/api/pull?chat=full1:full2&wait=1ms")
				.exchange()
				.expectStatus()
				.isOk());
	}

	@Test
	void aBadStreamRequestGets400ProblemNamingTheField() {
		this.client.get()
			.uri("/api/stream?chat=a:b")
			.header("Last-Event-ID", "seven")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("Last-Event-ID");
	}

	/**
	 * Stores {@code count} messages in a chat as the consumer does (the next seqs, one
	 * transaction), then announces them as it does.
	 */
	private void store(String chat, int count) {
		AtomicLong last = this.lastSeqs.computeIfAbsent(chat, (key) -> new AtomicLong());
		for (int i = 0; i < count; i++) {
			long seq = last.incrementAndGet();
			this.jdbc.update(
					"INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)"
							+ " VALUES (?, ?, ?, ?, ?, ?, now())",
					chat, seq, UUID.randomUUID(), chat.split(":")[0], chat + " #" + seq, 1_684_770_000L + seq);
		}
		try {
			channel.basicPublish(topology.storedExchange(), "", null,
					new StoredNotice(Map.of(chat, last.get()), System.currentTimeMillis()).encode());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Waits until the replica hears the bus: before that, readers poll instead. */
	private void awaitBusUp() {
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> this.client.get()
				.uri("/actuator/metrics/chatpipe.query.live.bus.up")
				.exchange()
				.expectBody()
				.jsonPath("$.measurements[0].value")
				.isEqualTo(1.0));
	}

	private Page pull(String uri) {
		return this.client.mutate()
			.responseTimeout(Duration.ofSeconds(70))
			.build()
			.get()
			.uri(uri)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Page.class)
			.returnResult()
			.getResponseBody();
	}

	private EventStream open(String pathAndQuery, String lastEventId) {
		return EventStream.open(URI.create("http://localhost:" + this.port + pathAndQuery), lastEventId);
	}

	private static JsonNode read(String text) {
		try {
			return json.readTree(text);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
