package io.chatpipe.publisher.send;

import java.time.Duration;

import io.chatpipe.testsupport.Ports;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With no broker listening at all, a send answers 503 with Retry-After, promptly, and
 * readiness is down.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UnreachableBrokerIT {

	@Autowired
	WebTestClient client;

	@DynamicPropertySource
	static void noBroker(DynamicPropertyRegistry registry) throws Exception {
		int port = Ports.unused();
		registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
		registry.add("spring.rabbitmq.port", () -> port);
	}

	@Test
	void aSendWithNoBrokerAnswers503WithRetryAfterWithinTheConnectTimeout() {
		long start = System.nanoTime();
		this.client.post()
			.uri("/api/send")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"hi\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.exists("Retry-After")
			.expectBody()
			.jsonPath("$.detail")
			.value((detail) -> assertThat((String) detail).contains("unreachable"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
	}

	@Test
	void readinessIsDownWhileLivenessIsUp() {
		this.client.get().uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503);
		this.client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
	}

}
