package io.chatpipe.endtoend;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;

/**
 * The whole pipeline: publisher, consumer and query API as processes, on a topology and a
 * database of their own.
 */
final class Pipeline implements AutoCloseable {

	private static final ObjectMapper JSON = new ObjectMapper();

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	final Topology topology = TestServices.isolatedTopology(4, 20);

	final String database = TestServices.newDatabase();

	final Tier publisher;

	final Tier consumer;

	final Tier queryApi;

	Pipeline() throws Exception {
		this(Map.of());
	}

	/** With more Spring properties for every tier. */
	Pipeline(Map<String, Object> everyTier) throws Exception {
		Map<String, Object> rabbit = new HashMap<>(TestServices.rabbitProperties());
		rabbit.putAll(everyTier);
		rabbit.putAll(TestServices.topologyProperties(this.topology));
		Map<String, Object> postgres = TestServices.postgresProperties(this.database);
		Map<String, Object> both = new HashMap<>(rabbit);
		both.putAll(postgres);
		this.consumer = Tier.start("consumer", both);
		this.queryApi = Tier.start("query-api", both);
		// The query API's chat page may send through the publisher from a browser.
		Map<String, Object> publisher = new HashMap<>(rabbit);
		publisher.put("chatpipe.publisher.cors.allowed-origins", origin(this.queryApi));
		this.publisher = Tier.start("publisher", publisher);
		CompletableFuture.allOf(ready(this.consumer), ready(this.publisher), ready(this.queryApi)).join();
	}

	/**
	 * The Spring properties of a query API of this pipeline (its database, and the broker
	 * its wake-ups come through), to start more replicas with.
	 */
	Map<String, Object> queryApiProperties() {
		Map<String, Object> properties = new HashMap<>(TestServices.rabbitProperties());
		properties.putAll(TestServices.topologyProperties(this.topology));
		properties.putAll(TestServices.postgresProperties(this.database));
		return properties;
	}

	/** A tier's origin, as a browser that loaded a page from it names it. */
	static String origin(Tier tier) {
		URI uri = tier.uri("");
		return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
	}

	private static CompletableFuture<Void> ready(Tier tier) {
		return CompletableFuture.runAsync(() -> tier.awaitReady(Duration.ofSeconds(90)));
	}

	/** POST /api/send; returns the status and the parsed body. */
	Answer send(String chat, String sender, String text, String idempotencyKey) throws Exception {
		String body = JSON.writeValueAsString(Map.of("chat", chat, "sender", sender, "text", text));
		HttpRequest.Builder request = HttpRequest.newBuilder(this.publisher.uri("/api/send"))
			.timeout(Duration.ofSeconds(15))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (idempotencyKey != null) {
			request.header("Idempotency-Key", idempotencyKey);
		}
		HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		return new Answer(response.statusCode(), JSON.readTree(response.body()));
	}

	/** GET /api/pull with this query string. */
	JsonNode pull(String query) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(this.queryApi.uri("/api/pull?" + query)).timeout(Duration.ofSeconds(15)).build(),
				HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new AssertionError("pull answered " + response.statusCode() + ": " + response.body());
		}
		return JSON.readTree(response.body());
	}

	/**
	 * How many messages the consumer has taken off its queues with this outcome
	 * ({@code stored}, {@code duplicate}, {@code dead_lettered}), from its metrics.
	 */
	double consumed(String outcome) throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(this.consumer.uri("/actuator/metrics/chatpipe.consumer.messages?tag=outcome:" + outcome))
			.timeout(Duration.ofSeconds(15))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new AssertionError(
					"the consumer's metrics answered " + response.statusCode() + ": " + response.body());
		}
		return JSON.readTree(response.body()).get("measurements").get(0).get("value").asDouble();
	}

	/** A connection to the pipeline's database, to check what was stored. */
	Connection database() throws SQLException {
		return TestServices.postgres().connect(this.database);
	}

	@Override
	public void close() throws Exception {
		try (Tier publisher = this.publisher; Tier consumer = this.consumer; Tier queryApi = this.queryApi) {
			// closed in reverse: query API, consumer, publisher
		}
	}

	/**
	 * What the publisher answered.
	 *
	 * @param status the HTTP status
	 * @param body the JSON body
	 */
	record Answer(int status, JsonNode body) {

		String messageId() {
			return this.body.path("message_id").asText(null);
		}

	}

}
