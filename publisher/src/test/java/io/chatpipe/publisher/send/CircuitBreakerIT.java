package io.chatpipe.publisher.send;

import java.net.ServerSocket;
import java.time.Duration;

import io.chatpipe.testsupport.OpenApiContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After repeated broker faults the circuit breaker opens: sends answer 503 at once,
 * without trying the broker.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.rabbitmq.connection-timeout=1s",
				"resilience4j.circuitbreaker.instances.broker.wait-duration-in-open-state=60s" })
class CircuitBreakerIT {

	@Autowired
	WebTestClient client;

	/** Every answer this test gets is held to the tier's OpenAPI document. */
	@BeforeEach
	void checkAnswersAgainstTheApiDocument() {
		this.client = OpenApiContract.checking(this.client);
	}

	@DynamicPropertySource
	static void noBroker(DynamicPropertyRegistry registry) throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		int closed = port;
		registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
		registry.add("spring.rabbitmq.port", () -> closed);
	}

	@Test
	void afterRepeatedBrokerFaultsSendsAnswer503AtOnceWithTheBreakerOpen() {
		for (int i = 0; i < 10; i++) {
			send().expectStatus().isEqualTo(503);
		}
		long start = System.nanoTime();
		send().expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.exists("Retry-After")
			.expectBody()
			.jsonPath("$.detail")
			.value((detail) -> assertThat((String) detail).contains("circuit breaker open"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
	}

	private WebTestClient.ResponseSpec send() {
		return this.client.post()
			.uri("/api/send")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"hi\"}")
			.exchange();
	}

}
