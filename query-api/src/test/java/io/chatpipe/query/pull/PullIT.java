package io.chatpipe.query.pull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import io.chatpipe.testsupport.OpenApiContract;
import io.chatpipe.testsupport.TestServices;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/pull} against the real PostgreSQL, migrated with the consumer's own
 * migrations, and filled as the consumer fills it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PullIT {

	static final String database = TestServices.newDatabase();

	static final String CHAT = "pa:pb";

	@Autowired
	WebTestClient client;

	/**
	 * Every answer this test gets is held to the tier's OpenAPI document. The first pull
	 * of a new context runs code the JVM has not compiled yet: 265 ms on an idle two-core
	 * machine, but over WebTestClient's default 5 s on a loaded one (once in CI, and
	 * locally while another build ran; SchemaMissingIT's first pull did the same). What
	 * this class asserts is pages, not latency; how fast a tier serves from a cold start
	 * is the benchmark's to measure ({@code ./chatpipe perf --only=warmup}).
	 */
	@BeforeEach
	void checkAnswersAgainstTheApiDocument() {
		this.client = OpenApiContract.checking(this.client.mutate().responseTimeout(Duration.ofSeconds(30)).build());
	}

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.postgresProperties(database));
	}

	@BeforeAll
	static void migrateAndFill(@Autowired JdbcTemplate jdbc) {
		var service = TestServices.postgres();
		Flyway.configure()
			.dataSource(service.jdbcUrl(database), service.username(), service.password())
			.load()
			.migrate();
		for (long seq = 1; seq <= 25; seq++) {
			jdbc.update(
					"INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)"
							+ " VALUES (?, ?, ?, ?, ?, ?, now())",
					CHAT, seq, UUID.randomUUID(), (seq % 2 == 0) ? "pa" : "pb", "text " + seq, 1_684_770_000L + seq);
		}
		jdbc.update("INSERT INTO chats (chat, last_seq) VALUES (?, 25)", CHAT);
	}

	@ParameterizedTest(name = "cursor={0} limit={1} reverse={2} -> {3}..{4}, has_more={5}, next_cursor={6}")
	@CsvSource(textBlock = """
			0,  10, false, 1,  10, true,  11
			1,  10, false, 1,  10, true,  11
			11, 10, false, 11, 20, true,  21
			21, 10, false, 21, 25, false, 26
			16, 10, false, 16, 25, false, 26
			26, 10, false, 0,  0,  false, 26
			0,  10, true,  25, 16, true,  15
			15, 10, true,  15, 6,  true,  5
			5,  10, true,  5,  1,  false, 0
			10, 10, true,  10, 1,  false, 0
			99, 3,  true,  25, 23, true,  22
			0,  100, false, 1, 25, false, 26
			""")
	void pagesHaveExactBoundsHasMoreAndNextCursor(long cursor, int limit, boolean reverse, long first, long last,
			boolean hasMore, long nextCursor) {
		Page page = pull("?chat=" + CHAT + "&cursor=" + cursor + "&limit=" + limit + "&reverse=" + reverse);
		List<Long> expected = (first == 0) ? List.of()
				: (first <= last) ? LongStream.rangeClosed(first, last).boxed().toList()
						: LongStream.rangeClosed(last, first).map((s) -> first + last - s).boxed().toList();
		assertThat(page.messages()).extracting(Page.Message::seq).containsExactlyElementsOf(expected);
		assertThat(page.hasMore()).isEqualTo(hasMore);
		assertThat(page.nextCursor()).isEqualTo(nextCursor);
	}

	@Test
	void followingNextCursorReadsEveryMessageOnceInEitherDirection() {
		for (boolean reverse : new boolean[] { false, true }) {
			List<Long> seen = new ArrayList<>();
			long cursor = 0;
			Page page;
			do {
				page = pull("?chat=" + CHAT + "&limit=4&reverse=" + reverse + "&cursor=" + cursor);
				page.messages().forEach((m) -> seen.add(m.seq()));
				cursor = page.nextCursor();
			}
			while (page.hasMore());
			List<Long> all = LongStream.rangeClosed(1, 25).boxed().toList();
			assertThat(seen).containsExactlyElementsOf(reverse ? all.reversed() : all);
		}
	}

	@Test
	void messagesCarryEveryFieldOfTheContract() {
		Page.Message message = pull("?chat=PB:pa&limit=1").messages().get(0);
		assertThat(message.chat()).isEqualTo(CHAT);
		assertThat(message.seq()).isEqualTo(1);
		assertThat(message.text()).isEqualTo("text 1");
		assertThat(message.sender()).isEqualTo("pb");
		assertThat(message.sendTime()).isEqualTo(1_684_770_001L);
		assertThat(message.messageId()).isNotNull();
	}

	@Test
	void anUnknownChatIsAnEmptyPageNotAnError() {
		Page page = pull("?chat=nobody:here&cursor=7");
		assertThat(page.messages()).isEmpty();
		assertThat(page.hasMore()).isFalse();
		assertThat(page.nextCursor()).isEqualTo(7);
	}

	@Test
	void parametersMayComeAsAJsonBodyOnTheGetAndTheQueryStringWins() {
		Page page = this.client.method(HttpMethod.GET)
			.uri("/api/pull?limit=2")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"chat\":\"" + CHAT + "\",\"cursor\":0,\"limit\":10,\"reverse\":true}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Page.class)
			.returnResult()
			.getResponseBody();
		assertThat(page.messages()).extracting(Page.Message::seq).containsExactly(25L, 24L);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			missing chat         | ?limit=5                          | chat
			bad chat             | ?chat=a:b:c                       | chat
			limit 0              | ?chat=a:b&limit=0                 | limit
			limit 101            | ?chat=a:b&limit=101               | limit
			negative cursor      | ?chat=a:b&cursor=-1               | cursor
			text for a number    | ?chat=a:b&cursor=abc              | cursor
			reverse=maybe        | ?chat=a:b&reverse=maybe           | reverse
			wait over 60 s       | ?chat=a:b&wait=61s                | wait
			wait not a duration  | ?chat=a:b&wait=soon               | wait
			""")
	void badParametersGet400ProblemNamingTheField(String name, String query, String field) {
		this.client.get()
			.uri("/api/pull" + query)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo(field);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
			limit as a string     | {"chat":"a:b","limit":"10"}        | limit
			cursor as a string    | {"chat":"a:b","cursor":"0"}        | cursor
			reverse as a string   | {"chat":"a:b","reverse":"true"}    | reverse
			wait as a boolean     | {"chat":"a:b","wait":true}         | wait
			chat as a number      | {"chat":5}                         | chat
			duplicate key         | {"chat":"a:b","chat":"c:d"}        | body
			content after it      | {"chat":"a:b"} xyz                 | body
			two objects           | {"chat":"a:b"}{"chat":"c:d"}       | body
			""")
	void badJsonBodiesGet400ProblemNamingTheField(String name, String body, String field) {
		pullWithBody(body.getBytes(StandardCharsets.UTF_8)).expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo(field);
	}

	@Test
	void anOverlongUtf8SequenceInTheBodyGets400NamingTheBody() {
		byte[] body = "{\"chat\":\"a__b:c\"}".getBytes(StandardCharsets.UTF_8);
		body[10] = (byte) 0xc0; // the two underscores become C0 AF, an overlong '/'
		body[11] = (byte) 0xaf;
		pullWithBody(body).expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("body");
	}

	private WebTestClient.ResponseSpec pullWithBody(byte[] body) {
		return this.client.method(HttpMethod.GET)
			.uri("/api/pull")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	@Test
	void aRequestLineOrHeadersOverTheServersLimitsGetProblemNamingThem() {
		this.client.get()
			.uri("/api/pull?chat=a:b&pad=" + "a".repeat(5_000))
			.exchange()
			.expectStatus()
			.isEqualTo(414)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("request-line");
		this.client.get()
			.uri("/api/pull?chat=a:b")
			.header("X-Padding", "a".repeat(10_000))
			.exchange()
			.expectStatus()
			.isEqualTo(431)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("headers");
	}

	@Test
	void aBodyThatIsNotJsonGets400NamingTheBody() {
		this.client.method(HttpMethod.GET)
			.uri("/api/pull")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"chat\":")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("body");
	}

	@Test
	void readinessIsUpOnceTheSchemaIsThere() {
		this.client.get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.components.schema.details.version")
			.isEqualTo("1");
	}

	private Page pull(String query) {
		return this.client.get()
			.uri("/api/pull" + query)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Page.class)
			.returnResult()
			.getResponseBody();
	}

}
