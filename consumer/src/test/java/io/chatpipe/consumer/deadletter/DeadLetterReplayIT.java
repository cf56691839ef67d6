package io.chatpipe.consumer.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.MessageIds;
import io.chatpipe.model.Topology;
import io.chatpipe.model.WireFormat;
import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead letters are inspected and replayed through {@code /actuator/deadletters};
 * replaying twice stores nothing twice.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeadLetterReplayIT {

	static final Topology topology = TestServices.isolatedTopology(2, 5);

	static final String database = TestServices.newDatabase();

	static Connection connection;

	static Channel channel;

	@Autowired
	WebTestClient client;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	AmqpAdmin admin;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.rabbitProperties(), TestServices.postgresProperties(database),
				TestServices.topologyProperties(topology));
	}

	@BeforeAll
	static void connect() throws Exception {
		connection = TestServices.rabbitConnectionFactory().newConnection("chatpipe-test");
		channel = connection.createChannel();
		channel.confirmSelect();
	}

	@AfterAll
	static void disconnect() throws Exception {
		connection.close();
	}

	@Test
	void storableDeadLettersAreReplayedOnceAndTheRestStayWithTheirReasons() throws Exception {
		// The consumer declares the topology on its first connection, in the background;
		// until the dead-letter queue is bound, the fanout exchange drops what it gets.
		this.admin.initialize();
		ChatMessage valid = new ChatMessage(MessageIds.random(), ChatId.parse("dl1:dl2"), "dl1", "came back",
				System.currentTimeMillis());
		deadLetter(WireFormat.encode(valid), valid.messageId().toString(), "delivery_limit (a bug, since fixed)");
		deadLetter("garbage".getBytes(StandardCharsets.UTF_8), "garbage", "undecodable: not JSON");

		// The quorum queue's message count catches up with its contents a moment after
		// the publishes were confirmed.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> this.client.get()
				.uri("/actuator/deadletters")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.count")
				.isEqualTo(2)
				.jsonPath("$.sample[1].reason")
				.isEqualTo("undecodable: not JSON"));

		replay().jsonPath("$.replayed").isEqualTo(1).jsonPath("$.kept").isEqualTo(1);
		await().atMost(Duration.ofSeconds(20)).until(() -> stored("dl1:dl2") == 1);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> this.client.get()
				.uri("/actuator/deadletters")
				.exchange()
				.expectBody()
				.jsonPath("$.count")
				.isEqualTo(1)
				.jsonPath("$.sample[0].messageId")
				.isEqualTo("garbage"));

		// The same message dead-lettered again (e.g. twice by an earlier failure) and
		// replayed: still stored once.
		deadLetter(WireFormat.encode(valid), valid.messageId().toString(), "delivery_limit");
		replay().jsonPath("$.replayed").isEqualTo(1).jsonPath("$.kept").isEqualTo(1);
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> stored("dl1:dl2") == 1);
		assertThat(this.jdbc.queryForObject("SELECT text FROM messages WHERE chat = 'dl1:dl2'", String.class))
			.isEqualTo("came back");
	}

	private WebTestClient.BodyContentSpec replay() {
		return this.client.post()
			.uri("/actuator/deadletters")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"limit\": 100}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody();
	}

	private static void deadLetter(byte[] body, String messageId, String reason) throws Exception {
		AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(2)
			.messageId(messageId)
			.headers(Map.of(Topology.REJECTION_REASON_HEADER, reason))
			.build();
		channel.basicPublish(topology.deadLetterExchange(), "", properties, body);
		channel.waitForConfirmsOrDie(10_000);
	}

	private long stored(String chat) {
		return this.jdbc.queryForObject("SELECT count(*) FROM messages WHERE chat = ?", Long.class, chat);
	}

}
