package io.chatpipe.endtoend;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.testsupport.EventStream;
import io.chatpipe.testsupport.Tier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live delivery through the packaged tiers: what is sent with a 200 reaches every stream
 * of its chat, once and in seq order, across query-API replicas, a query API's crash, and
 * a wake-up bus that cannot be reached. Replicas started here re-read on their own only
 * every minute, so a message that reaches them within seconds was woken up for.
 */
class LiveDeliveryIT {

	static final Duration DELIVERY = Duration.ofSeconds(20);

	static final ObjectMapper json = new ObjectMapper();

	static Pipeline pipeline;

	@BeforeAll
	static void start() throws Exception {
		pipeline = new Pipeline();
	}

	@AfterAll
	static void stop() throws Exception {
		pipeline.close();
	}

	@Test
	void aStreamOnEachOfTwoQueryApiReplicasSeesEveryMessageOnceInOrderWhileSendsGoOn() throws Exception {
		try (Tier second = queryApi(Map.of());
				EventStream first = stream(pipeline.queryApi, "two1:two2", null);
				EventStream other = stream(second, "two1:two2", null)) {
			List<String> sent = send("two1:two2", 60, Duration.ZERO);

			await().atMost(DELIVERY).until(() -> first.events().size() >= 60 && other.events().size() >= 60);
			for (EventStream stream : List.of(first, other)) {
				assertThat(stream.events()).extracting(EventStream.Event::id).containsExactlyElementsOf(ids(1, 60));
				assertThat(stream.events()).extracting((event) -> read(event.data()).get("text").asText())
					.containsExactlyElementsOf(sent);
			}
		}
	}

	@Test
	void aStreamResumedByLastEventIdAfterItsQueryApiWasKilledMissesNothingAndRepeatsNothing() throws Exception {
		try (Tier replica = queryApi(Map.of())) {
			AtomicBoolean sending = new AtomicBoolean(true);
			List<String> sent = new CopyOnWriteArrayList<>();
			CompletableFuture<Void> sends = CompletableFuture.runAsync(() -> {
				while (sending.get()) {
					sent.addAll(send("crash1:crash2", 5, Duration.ofMillis(40)));
				}
			});
			List<EventStream.Event> seen = new ArrayList<>();
			try (EventStream before = stream(replica, "crash1:crash2", null)) {
				await().atMost(DELIVERY).until(() -> before.events().size() >= 20);
				replica.kill();
				seen.addAll(before.events());
			}
			replica.restart();
			replica.awaitReady(Duration.ofSeconds(90));
			try (EventStream after = stream(replica, "crash1:crash2", seen.get(seen.size() - 1).id())) {
				await().atMost(DELIVERY).until(() -> after.events().size() >= 20);
				sending.set(false);
				sends.join();
				int total = sent.size();
				await().atMost(DELIVERY).until(() -> seen.size() + after.events().size() >= total);
				seen.addAll(after.events());
			}
			assertThat(seen).extracting(EventStream.Event::id).containsExactlyElementsOf(ids(1, sent.size()));
			assertThat(seen).extracting((event) -> read(event.data()).get("text").asText())
				.containsExactlyElementsOf(sent);
		}
	}

	@Test
	void withTheWakeUpBusUnreachableAStreamStillGetsEveryMessageByReadingEverySecond() throws Exception {
		try (Tier deaf = queryApi(Map.of("spring.rabbitmq.port", closedPort()));
				EventStream stream = stream(deaf, "deaf1:deaf2", null)) {
			List<String> sent = send("deaf1:deaf2", 10, Duration.ofMillis(100));

			await().atMost(DELIVERY).until(() -> stream.events().size() >= 10);
			assertThat(stream.events()).extracting((event) -> read(event.data()).get("text").asText())
				.containsExactlyElementsOf(sent);
			HttpResponse<String> busUp = pipeline.http.send(
					HttpRequest.newBuilder(deaf.uri("/actuator/metrics/chatpipe.query.live.bus.up")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(read(busUp.body()).at("/measurements/0/value").asDouble()).isZero();
		}
	}

	/** A query API replica of the pipeline, started and ready. */
	private static Tier queryApi(Map<String, Object> overrides) throws IOException {
		Map<String, Object> properties = new HashMap<>(pipeline.queryApiProperties());
		properties.put("chatpipe.query.live.recheck-interval", "60s");
		properties.putAll(overrides);
		return Tier.start("query-api", properties).awaitReady(Duration.ofSeconds(90));
	}

	private static EventStream stream(Tier queryApi, String chat, String lastEventId) {
		EventStream stream = EventStream.open(queryApi.uri("/api/stream?chat=" + chat), lastEventId);
		assertThat(stream.response().statusCode()).isEqualTo(200);
		return stream;
	}

	/** Sends {@code count} messages one after the other; returns their texts. */
	private static List<String> send(String chat, int count, Duration pause) {
		String[] members = chat.split(":");
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String text = "m " + System.nanoTime();
			try {
				Pipeline.Answer answer = pipeline.send(chat, members[i % 2], text, null);
				assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
				Thread.sleep(pause);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
			texts.add(text);
		}
		return texts;
	}

	private static List<String> ids(long first, long last) {
		return LongStream.rangeClosed(first, last).mapToObj(Long::toString).toList();
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static JsonNode read(String text) {
		try {
			return json.readTree(text);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
