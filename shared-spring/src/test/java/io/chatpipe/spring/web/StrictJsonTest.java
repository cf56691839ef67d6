package io.chatpipe.spring.web;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.model.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class StrictJsonTest {

	private final StrictJson json = new StrictJson(new ObjectMapper());

	@Test
	void readsOneObjectWithTextInAnyScript() {
		assertThat(this.json.read(utf8("{\"text\":\"привет 😀\",\"n\":1}")).get("text").textValue())
			.isEqualTo("привет 😀");
	}

	@Test
	void anEmptyBodyIsAMissingValue() {
		assertThat(this.json.read(new byte[0]).isMissingNode()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"chat\":\"a:b\",\"chat\":\"c:d\"}", "{\"a\":{\"x\":1,\"x\":2}}",
			"{\"chat\":\"a:b\"} xyz", "{\"chat\":\"a:b\"}{\"chat\":\"c:d\"}", "{\"chat\":\"a:b\"} 1", "{\"chat\":" })
	void refusesWhatIsNotExactlyOneJsonValueWithDistinctKeys(String body) {
		assertThatExceptionOfType(InvalidInputException.class).isThrownBy(() -> this.json.read(utf8(body)))
			.satisfies((ex) -> assertThat(ex.violations()).singleElement()
				.satisfies((violation) -> assertThat(violation.field()).isEqualTo("body")));
	}

	@ParameterizedTest
	@ValueSource(strings = { "c0af", "e080af", "f08080af", "ff", "80", "eda080", "edbfbf", "e282", "f4908080" })
	void refusesMalformedOverlongOrSurrogateUtf8(String hex) {
		byte[] body = concat(utf8("{\"text\":\"a"), HexFormat.of().parseHex(hex), utf8("b\"}"));
		assertThatExceptionOfType(InvalidInputException.class).isThrownBy(() -> this.json.read(body))
			.withMessageContaining("is not valid UTF-8");
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] concat(byte[]... parts) {
		int length = 0;
		for (byte[] part : parts) {
			length += part.length;
		}
		byte[] all = new byte[length];
		int at = 0;
		for (byte[] part : parts) {
			System.arraycopy(part, 0, all, at, part.length);
			at += part.length;
		}
		return all;
	}

}
