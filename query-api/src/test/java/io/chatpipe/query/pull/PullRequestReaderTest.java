package io.chatpipe.query.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.FieldViolation;
import io.chatpipe.model.InvalidInputException;
import org.junit.jupiter.api.Test;

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

	private static MultiValueMap<String, String> query(String name, String value) {
		MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
		query.add(name, value);
		return query;
	}

	private JsonNode body(String text) throws Exception {
		return this.json.readTree(text);
	}

}
