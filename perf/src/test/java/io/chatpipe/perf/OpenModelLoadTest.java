package io.chatpipe.perf;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class OpenModelLoadTest {

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final ExecutorService threads = Executors.newFixedThreadPool(4);

	private HttpServer server;

	@BeforeEach
	void serve() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.setExecutor(this.threads);
		this.server.createContext("/length", (exchange) -> answer(exchange, 200, "x".repeat(20_000), false));
		this.server.createContext("/chunked", (exchange) -> answer(exchange, 200, "{\"page\":[1,2,3]}", true));
		this.server.createContext("/unavailable", (exchange) -> answer(exchange, 503, "{\"status\":503}", false));
		this.server.createContext("/echo", (exchange) -> {
			this.received.add(exchange.getRequestHeaders().getFirst("Content-Type") + " "
					+ new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
			answer(exchange, 200, "{}", false);
		});
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
		this.threads.shutdownNow();
	}

	@Test
	void answersFramedByLengthOrByChunksAreEachCountedOnce() {
		OpenModelLoad.Step step = new OpenModelLoad().run(400, Duration.ofSeconds(1),
				(i) -> OpenModelLoad.Request.get(uri((i % 2 == 0) ? "/length" : "/chunked?i=" + i)));

		assertThat(step.requests()).isEqualTo(400);
		assertThat(step.ok()).isEqualTo(400);
		assertThat(step.failed()).isZero();
		assertThat(step.p50Millis()).isPositive().isLessThanOrEqualTo(step.p99Millis());
	}

	@Test
	void answersOtherThan200CountAsFailed() {
		OpenModelLoad.Step step = new OpenModelLoad().run(200, Duration.ofSeconds(1),
				(i) -> OpenModelLoad.Request.get(uri((i % 4 == 0) ? "/unavailable" : "/length")));

		assertThat(step.ok()).isEqualTo(150);
		assertThat(step.failed()).isEqualTo(50);
		assertThat(step.failures().statuses()).containsExactly(entry(503, 50L));
		assertThat(step.failures().describe()).isEqualTo("503: 50");
	}

	@Test
	void requestsPastTheOutstandingLimitAreNotSentAndAreToldApartFromUnansweredOnes() throws IOException {
		try (ServerSocket silent = new ServerSocket(0, 5_000, InetAddress.getLoopbackAddress())) {
			OpenModelLoad.Step step = new OpenModelLoad().run(5_000, Duration.ofSeconds(1),
					(i) -> OpenModelLoad.Request.get(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/")));

			assertThat(step.ok()).isZero();
			assertThat(step.failures().unanswered()).isEqualTo(OpenModelLoad.MAX_OUTSTANDING);
			assertThat(step.failures().notSent()).isEqualTo(5_000 - OpenModelLoad.MAX_OUTSTANDING);
			assertThat(step.failed()).isEqualTo(5_000);
			assertThat(step.failures().describe()).isEqualTo("unanswered: 4,096, not sent at 4096 outstanding: 904");
		}
	}

	@Test
	void postsCarryTheirJsonBody() {
		OpenModelLoad.Step step = new OpenModelLoad().run(100, Duration.ofMillis(200),
				(i) -> OpenModelLoad.Request.post(uri("/echo"), "{\"n\":" + i + ",\"text\":\"grüß\"}"));

		assertThat(step.ok()).isEqualTo(20);
		assertThat(this.received).hasSize(20).contains("application/json {\"n\":7,\"text\":\"grüß\"}");
	}

	@Test
	void requestsNobodyAnswersCountAsFailedAndTheStepStillEnds() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		OpenModelLoad.Step step = new OpenModelLoad().run(100, Duration.ofMillis(500),
				(i) -> OpenModelLoad.Request.get(URI.create("http://127.0.0.1:" + closedPort + "/")));

		assertThat(step.ok()).isZero();
		assertThat(step.failed()).isEqualTo(50);
		assertThat(step.failures().statuses()).isEmpty();
		assertThat(step.failures().notSent()).isZero();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + path);
	}

	private static void answer(HttpExchange exchange, int status, String body, boolean chunked) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getRequestBody().readAllBytes();
		exchange.sendResponseHeaders(status, chunked ? 0 : bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

}
