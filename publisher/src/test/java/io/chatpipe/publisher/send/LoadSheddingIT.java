package io.chatpipe.publisher.send;

import java.time.Duration;
import java.util.List;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.OpenApiContract;
import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Past {@code max-in-flight} publishes waiting for their confirms, a send is shed with
 * 429 and Retry-After and publishes nothing; once one ends, sends go through again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "chatpipe.publisher.max-in-flight=2")
class LoadSheddingIT {

	static final Topology topology = TestServices.isolatedTopology(2, 5);

	@Autowired
	WebTestClient client;

	/** Every answer this test gets is held to the tier's OpenAPI document. */
	@BeforeEach
	void checkAnswersAgainstTheApiDocument() {
		this.client = OpenApiContract.checking(this.client);
	}

	@Autowired
	BrokerGuard guard;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.rabbitProperties(),
				TestServices.topologyProperties(topology));
	}

	@Test
	void aSendBeyondTheInFlightBoundIsShedWith429AndPublishesNothing() throws Exception {
		// Two publishes whose confirms never come hold the whole bound,
		// deterministically.
		List<Disposable> waiting = List.of(this.guard.guard(Mono.never()).subscribe(),
				this.guard.guard(Mono.never()).subscribe());

		send("shed").expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.valueEquals("Retry-After", "1")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(queued()).isZero();

		waiting.get(0).dispose();
		send("accepted").expectStatus().isOk();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(queued()).isOne());
		waiting.get(1).dispose();
	}

	private WebTestClient.ResponseSpec send(String text) {
		return this.client.post()
			.uri("/api/send")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"" + text + "\"}")
			.exchange();
	}

	private long queued() throws Exception {
		try (Connection connection = TestServices.rabbitConnectionFactory().newConnection()) {
			Channel channel = connection.createChannel();
			long queued = 0;
			for (String queue : topology.shardQueues()) {
				queued += channel.queueDeclarePassive(queue).getMessageCount();
			}
			return queued;
		}
	}

}
