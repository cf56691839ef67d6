package io.chatpipe.query.pull;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.FieldViolation;
import io.chatpipe.model.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PullRequestReaderTest {

	private final ObjectMapper json = new ObjectMapper();

	@Test
	void defaultsAreCursorZeroLimitTenForward() {
		PullRequest request = PullRequestReader.read(query("chat", "B:a"), null);
		assertThat(request).isEqualTo(new PullRequest(ChatId.parse("a:b"), 0, 10, false));
	}

	@Test
	void aJsonBodyGivesTheParametersAsTheOriginalClientsSendThem() throws Exception {
		PullRequest request = PullRequestReader.read(new LinkedMultiValueMap<>(),
				body("{\"chat\":\"a1:a2\",\"cursor\":7,\"limit\":20,\"reverse\":true}"));
		assertThat(request.cursor()).isEqualTo(7);
		assertThat(request.limit()).isEqualTo(20);
		assertThat(request.reverse()).isTrue();
	}

	@Test
	void theQueryStringWinsOverTheBody() throws Exception {
		MultiValueMap<String, String> query = query("limit", "3");
		query.add("reverse", "FALSE");
		PullRequest request = PullRequestReader.read(query, body("{\"chat\":\"a1:a2\",\"limit\":50,\"reverse\":true}"));
		assertThat(request.limit()).isEqualTo(3);
		assertThat(request.reverse()).isFalse();
		assertThat(request.chat().value()).isEqualTo("a1:a2");
	}

	@Test
	void everyBadParameterIsNamed() throws Exception {
		MultiValueMap<String, String> query = query("cursor", "-1");
		query.add("limit", "101");
		query.add("reverse", "maybe");
		assertThatThrownBy(() -> PullRequestReader.read(query, null)).isInstanceOfSatisfying(
				InvalidInputException.class, (ex) -> assertThat(ex.violations()).extracting(FieldViolation::field)
					.containsExactly("chat", "cursor", "limit", "reverse"));
	}

	@Test
	void aJsonStringWhereANumberOrABooleanBelongsIsRejectedAsASendRejectsANumberForText() throws Exception {
		assertThatThrownBy(() -> PullRequestReader.read(new LinkedMultiValueMap<>(),
				body("{\"chat\":\"a:b\",\"cursor\":\"0\",\"limit\":\"20\",\"reverse\":\"true\"}")))
			.isInstanceOfSatisfying(InvalidInputException.class,
					(ex) -> assertThat(ex.violations()).extracting(FieldViolation::field)
						.containsExactly("cursor", "limit", "reverse"));
	}

	@Test
	void textWhereANumberBelongsIsRejectedInTheBodyToo() throws Exception {
		assertThatThrownBy(
				() -> PullRequestReader.read(new LinkedMultiValueMap<>(), body("{\"chat\":\"a:b\",\"limit\":2.5}")))
			.hasMessage("limit: must be an integer from 1 to 100");
		assertThatThrownBy(() -> PullRequestReader.read(new LinkedMultiValueMap<>(),
				body("{\"chat\":\"a:b\",\"cursor\":\"ten\"}")))
			.hasMessageStartingWith("cursor: must be an integer from 0 up");
		assertThatThrownBy(() -> PullRequestReader.read(new LinkedMultiValueMap<>(), body("{\"chat\":5}")))
			.hasMessage("chat: must be a string");
	}

	@ParameterizedTest(name = "wait={0} is {1} ms")
	@CsvSource(textBlock = """
			25,     25000
			25s,    25000
			1500ms, 1500
			0,      0
			60s,    60000
			60000ms, 60000
			""")
	void aWaitIsSecondsOrHasAUnit(String wait, long millis) {
		MultiValueMap<String, String> query = query("chat", "a:b");
		query.add("wait", wait);
		assertThat(PullRequestReader.read(query, null).waitFor()).isEqualTo(Duration.ofMillis(millis));
	}

	@Test
	void aWaitInTheBodyIsANumberOfSecondsOrTextWithAUnit() throws Exception {
		assertThat(
				PullRequestReader.read(new LinkedMultiValueMap<>(), body("{\"chat\":\"a:b\",\"wait\":25}")).waitFor())
			.isEqualTo(Duration.ofSeconds(25));
		assertThat(PullRequestReader.read(new LinkedMultiValueMap<>(), body("{\"chat\":\"a:b\",\"wait\":\"250ms\"}"))
			.waitFor()).isEqualTo(Duration.ofMillis(250));
	}

	@ParameterizedTest
	@ValueSource(strings = { "61", "61s", "60001ms", "-1", "1m", "2.5", "", "25 s", "9999999999" })
	void aWaitOutside0To60sOrInAnotherFormIsNamed(String wait) {
		MultiValueMap<String, String> query = query("chat", "a:b");
		query.add("wait", wait);
		assertThatThrownBy(() -> PullRequestReader.read(query, null))
			.hasMessageStartingWith("wait: must be a duration from 0 to 60s");
	}

	@Test
	void aWaitOfAnotherJsonTypeIsNamed() {
		for (String wait : new String[] { "true", "2.5", "61", "[25]" }) {
			assertThatThrownBy(() -> PullRequestReader.read(new LinkedMultiValueMap<>(),
					body("{\"chat\":\"a:b\",\"wait\":" + wait + "}")))
				.hasMessageStartingWith("wait: must be a duration from 0 to 60s");
		}
	}

	@Test
	void aStreamStartsAtItsCursorOrRightAfterLastEventIdWhichWins() {
		MultiValueMap<String, String> query = query("chat", "B:a");
		assertThat(PullRequestReader.readStream(query, null)).isEqualTo(new StreamRequest(ChatId.parse("a:b"), 0));
		query.add("cursor", "7");
		assertThat(PullRequestReader.readStream(query, null).from()).isEqualTo(7);
		assertThat(PullRequestReader.readStream(query, "41").from()).isEqualTo(42);
	}

	@Test
	void aBadStreamRequestNamesEachFieldIncludingTheHeader() {
		MultiValueMap<String, String> query = query("cursor", "x");
		assertThatThrownBy(() -> PullRequestReader.readStream(query, "-3")).isInstanceOfSatisfying(
				InvalidInputException.class, (ex) -> assertThat(ex.violations()).extracting(FieldViolation::field)
					.containsExactly("chat", "cursor", "Last-Event-ID"));
	}

	private static MultiValueMap<String, String> query(String name, String value) {
		MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
		query.add(name, value);
		return query;
	}

	private JsonNode body(String text) throws Exception {
		return this.json.readTree(text);
	}

}
