package io.chatpipe.publisher.send;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.Topology;
import io.chatpipe.model.WireFormat;
import io.chatpipe.testsupport.OpenApiContract;
import io.chatpipe.testsupport.TestServices;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/send} against the real RabbitMQ: what the client gets, and what lands
 * (or not) on the queues.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SendIT {

	static final Topology topology = TestServices.isolatedTopology(4, 5);

	static Connection connection;

	static Channel channel;

	@Autowired
	WebTestClient client;

	/** Every answer this test gets is held to the tier's OpenAPI document. */
	@BeforeEach
	void checkAnswersAgainstTheApiDocument() {
		this.client = OpenApiContract.checking(this.client);
	}

	@Autowired
	AmqpAdmin admin;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.rabbitProperties(),
				TestServices.topologyProperties(topology));
	}

	@BeforeAll
	static void connect() throws Exception {
		connection = TestServices.rabbitConnectionFactory().newConnection("chatpipe-test");
		channel = connection.createChannel();
	}

	@AfterAll
	static void disconnect() throws Exception {
		connection.close();
	}

	@BeforeEach
	void emptyTheQueues() throws Exception {
		for (String queue : topology.shardQueues()) {
			channel.queuePurge(queue);
		}
	}

	@Test
	void theChatPageOfTheQueryApiMaySendFromABrowserAndNoOtherOriginMay() {
		this.client.options()
			.uri("/api/send")
			.header("Origin", "http://localhost:8081")
			.header("Access-Control-Request-Method", "POST")
			.header("Access-Control-Request-Headers", "content-type, idempotency-key")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("Access-Control-Allow-Origin", "http://localhost:8081");
		this.client.options()
			.uri("/api/send")
			.header("Origin", "http://elsewhere.example")
			.header("Access-Control-Request-Method", "POST")
			.exchange()
			.expectStatus()
			.isForbidden();
		this.client.post()
			.uri("/api/send")
			.header("Origin", "http://localhost:8081")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"chat\":\"cors1:cors2\",\"sender\":\"cors1\",\"text\":\"from a page\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("Access-Control-Allow-Origin", "http://localhost:8081");
	}

	@Test
	void aConfirmedSendAnswersItsIdAndLandsOnItsChatsShardAsVersionedJson() throws Exception {
		Map<String, Object> answer = answer(
				send("{\"chat\":\"Bob:alice\",\"text\":\"hello\",\"sender\":\"BOB\"}", null));

		assertThat(answer).containsEntry("chat", "alice:bob").containsKeys("message_id", "send_time");
		assertThat(((Number) answer.get("send_time")).longValue()).isCloseTo(System.currentTimeMillis() / 1000,
				Offset.offset(5L));
		int shard = topology.shardOf(ChatId.parse("alice:bob"));
		Delivery queued = takeOne(topology.shardQueue(shard));
		assertThat(queued.getProperties().getDeliveryMode()).isEqualTo(2);
		assertThat(queued.getProperties().getMessageId()).isEqualTo(answer.get("message_id"));
		ChatMessage message = WireFormat.decode(queued.getBody());
		assertThat(message.messageId()).hasToString((String) answer.get("message_id"));
		assertThat(message.sender()).isEqualTo("bob");
		assertThat(message.text()).isEqualTo("hello");
		assertThat(totalQueued()).isZero();
	}

	@Test
	void retriesWithTheSameIdempotencyKeyGetTheSameMessageId() {
		String body = "{\"chat\":\"a1:a2\",\"text\":\"pay 5\",\"sender\":\"a1\"}";
		String first = messageId(send(body, "payment-1"));
		String retry = messageId(send(body, "payment-1"));
		String other = messageId(send(body, "payment-2"));
		String otherSender = messageId(send("{\"chat\":\"a1:a2\",\"text\":\"pay 5\",\"sender\":\"a2\"}", "payment-1"));

		assertThat(retry).isEqualTo(first);
		assertThat(other).isNotEqualTo(first);
		assertThat(otherSender).isNotEqualTo(first);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '\'',
			textBlock = """
					missing chat       | {"text":"hi","sender":"a"}                          | chat
					chat of one name   | {"chat":"a","text":"hi","sender":"a"}               | chat
					chat of three      | {"chat":"a:b:c","text":"hi","sender":"a"}           | chat
					bad member name    | {"chat":"a b:c","text":"hi","sender":"c"}           | chat
					name of 65         | {"chat":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:b","text":"hi","sender":"b"} | chat
					sender not member  | {"chat":"a:b","text":"hi","sender":"c"}             | sender
					missing sender     | {"chat":"a:b","text":"hi"}                          | sender
					empty text         | {"chat":"a:b","text":"","sender":"a"}               | text
					text NUL           | {"chat":"a:b","text":"a\\u0000b","sender":"a"}      | text
					lone surrogate     | {"chat":"a:b","text":"\\ud800","sender":"a"}        | text
					number as text     | {"chat":"a:b","text":5,"sender":"a"}                | text
					null text          | {"chat":"a:b","text":null,"sender":"a"}             | text
					array body         | [1,2]                                               | body
					malformed JSON     | {"chat":                                            | body
					duplicate key      | {"chat":"a:b","chat":"c:d","text":"hi","sender":"c"} | body
					content after it   | {"chat":"a:b","text":"hi","sender":"a"} xyz         | body
					two objects        | {"chat":"a:b","text":"hi","sender":"a"}{"chat":"a:b","text":"hi","sender":"a"} | body
					""")
	void invalidRequestsGet400ProblemNamingTheFieldAndPublishNothing(String name, String body, String field)
			throws Exception {
		send(body, null).expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(400)
			.jsonPath("$.errors[0].field")
			.isEqualTo(field)
			.jsonPath("$.detail")
			.value((detail) -> assertThat((String) detail).startsWith(field + ": "));
		assertThat(totalQueued()).isZero();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			overlong '/' (C0 AF)            | c0af
			byte FF                         | ff
			a UTF-16 surrogate as UTF-8     | eda080
			a cut three-byte sequence       | e282
			""")
	void aBodyThatIsNotValidUtf8Gets400NamingTheBodyAndPublishesNothing(String name, String hex) throws Exception {
		byte[] body = utf8Around("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"x", hex, "y\"}");
		this.client.post()
			.uri("/api/send")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("body");
		assertThat(totalQueued()).isZero();
	}

	static byte[] utf8Around(String before, String hex, String after) {
		byte[] head = before.getBytes(StandardCharsets.UTF_8);
		byte[] middle = HexFormat.of().parseHex(hex);
		byte[] tail = after.getBytes(StandardCharsets.UTF_8);
		byte[] body = Arrays.copyOf(head, head.length + middle.length + tail.length);
		System.arraycopy(middle, 0, body, head.length, middle.length);
		System.arraycopy(tail, 0, body, head.length + middle.length, tail.length);
		return body;
	}

	@Test
	void aRequestLineOverTheServersLimitGets414ProblemNamingItAndPublishesNothing() throws Exception {
		this.client.post()
			.uri("/api/send?pad=" + "a".repeat(5_000))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"hi\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(414)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(414)
			.jsonPath("$.errors[0].field")
			.isEqualTo("request-line");
		assertThat(totalQueued()).isZero();
	}

	@Test
	void headersOverTheServersLimitGet431ProblemNamingThemAndPublishNothing() throws Exception {
		this.client.post()
			.uri("/api/send")
			.contentType(MediaType.APPLICATION_JSON)
			.header("X-Padding", "a".repeat(10_000))
			.bodyValue("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"hi\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(431)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("headers");
		assertThat(totalQueued()).isZero();
	}

	@Test
	void textOfExactly4096CodePointsIsAcceptedAnd4097IsNot() throws Exception {
		String emoji = "\uD83D\uDE00";
		send("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"" + emoji.repeat(4096) + "\"}", null).expectStatus().isOk();
		send("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"" + emoji.repeat(4097) + "\"}", null).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("text");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(totalQueued()).isOne());
	}

	@Test
	void anInvalidIdempotencyKeyIsRejectedNamingTheHeader() throws Exception {
		send("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"hi\"}", "has space").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("Idempotency-Key");
		assertThat(totalQueued()).isZero();
	}

	@Test
	void aBodyThatIsNotJsonGets415() throws Exception {
		this.client.post()
			.uri("/api/send")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("chat=a:b&text=hi&sender=a")
			.exchange()
			.expectStatus()
			.isEqualTo(415)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("Content-Type");
		assertThat(totalQueued()).isZero();
	}

	@Test
	void aBodyOverTheLimitGets413WithOrWithoutContentLength() throws Exception {
		String big = "{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"" + "x".repeat(70_000) + "\"}";
		send(big, null).expectStatus().isEqualTo(413).expectBody().jsonPath("$.errors[0].field").isEqualTo("body");
		this.client.post()
			.uri("/api/send")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Flux.just(big.substring(0, 40_000), big.substring(40_000))
				.map((part) -> DefaultDataBufferFactory.sharedInstance.wrap(part.getBytes(StandardCharsets.UTF_8))),
					DataBuffer.class)
			.exchange()
			.expectStatus()
			.isEqualTo(413)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("body: must be at most 65536 bytes");
		assertThat(totalQueued()).isZero();
	}

	@Test
	void aMessageTheBrokerCannotRouteAnswers503WithRetryAfter() throws Exception {
		ChatId chat = ChatId.parse("lost1:lost2");
		String queue = topology.shardQueue(topology.shardOf(chat));
		channel.queueDelete(queue);
		try {
			send("{\"chat\":\"lost1:lost2\",\"sender\":\"lost1\",\"text\":\"into the void\"}", null).expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.valueEquals("Retry-After", "1")
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.detail")
				.value((detail) -> assertThat((String) detail).contains("could not route"));
		}
		finally {
			this.admin.initialize();
		}
		send("{\"chat\":\"lost1:lost2\",\"sender\":\"lost1\",\"text\":\"found\"}", null).expectStatus().isOk();
	}

	private WebTestClient.ResponseSpec send(String body, String idempotencyKey) {
		return this.client.post().uri("/api/send").contentType(MediaType.APPLICATION_JSON).headers((headers) -> {
			if (idempotencyKey != null) {
				headers.set("Idempotency-Key", idempotencyKey);
			}
		}).bodyValue(body).exchange();
	}

	private String messageId(WebTestClient.ResponseSpec response) {
		return UUID.fromString((String) answer(response).get("message_id")).toString();
	}

	private Map<String, Object> answer(WebTestClient.ResponseSpec response) {
		return response.expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
		}).returnResult().getResponseBody();
	}

	/**
	 * Takes one message by subscribing: quorum queues with a single active consumer
	 * refuse basic.get.
	 */
	private static Delivery takeOne(String queue) throws Exception {
		BlockingQueue<Delivery> taken = new LinkedBlockingQueue<>();
		String tag = channel.basicConsume(queue, true, (consumerTag, delivery) -> taken.add(delivery),
				(consumerTag) -> {
				});
		try {
			Delivery delivery = taken.poll(10, TimeUnit.SECONDS);
			assertThat(delivery).as("a message on " + queue).isNotNull();
			return delivery;
		}
		finally {
			channel.basicCancel(tag);
		}
	}

	private long totalQueued() throws Exception {
		long total = 0;
		for (String queue : topology.shardQueues()) {
			total += channel.queueDeclarePassive(queue).getMessageCount();
		}
		return total;
	}

}
