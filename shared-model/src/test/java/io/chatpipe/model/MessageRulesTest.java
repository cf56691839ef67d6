package io.chatpipe.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageRulesTest {

	private final MessageRules rules = MessageRules.defaults();

	@Test
	void validMessageIsCanonical() {
		NewMessage message = this.rules.check("A2:a1", "A2", "hello");
		assertThat(message).isEqualTo(new NewMessage(ChatId.parse("a1:a2"), "a2", "hello"));
	}

	@Test
	void senderMustBeAMemberOfTheChat() {
		assertThatThrownBy(() -> this.rules.check("a1:a2", "a3", "hi"))
			.hasMessage("sender: must be one of the chat's members (a1 or a2)");
	}

	@Test
	void everyViolationIsReportedAtOnce() {
		assertThatThrownBy(() -> this.rules.check("nope", null, "")).isInstanceOfSatisfying(InvalidInputException.class,
				(ex) -> assertThat(ex.violations()).extracting(FieldViolation::field)
					.containsExactly("chat", "sender", "text"));
	}

	@Test
	void textLengthCountsCodePointsNotUtf16Units() {
		String emoji = "\uD83D\uDE00"; // one code point, two chars
		assertThat(this.rules.check("a:b", "a", emoji.repeat(4096)).text()).hasSize(8192);
		assertThatThrownBy(() -> this.rules.check("a:b", "a", emoji.repeat(4097)))
			.hasMessageContaining("text: must be 1..4096 characters");
	}

	@Test
	void maximumTextLengthIsConfigurable() {
		MessageRules small = new MessageRules(3);
		assertThat(small.check("a:b", "a", "abc").text()).isEqualTo("abc");
		assertThatThrownBy(() -> small.check("a:b", "a", "abcd")).hasMessageContaining("1..3 characters");
	}

	@ParameterizedTest
	@ValueSource(strings = { "a\u0000b", "\uD83D", "x\uDE00" })
	void textThatPostgresqlCannotStoreFaithfullyIsRejected(String text) {
		assertThatThrownBy(() -> this.rules.check("a:b", "a", text)).isInstanceOfSatisfying(InvalidInputException.class,
				(ex) -> assertThat(ex.violations()).extracting(FieldViolation::field).containsExactly("text"));
	}

	@Test
	void idempotencyKeyIsOneTo255VisibleAsciiCharacters() {
		assertThat(MessageRules.checkIdempotencyKey("k".repeat(255))).hasSize(255);
		assertThat(MessageRules.checkIdempotencyKey("!~")).isEqualTo("!~");
		for (String bad : new String[] { "", "k".repeat(256), "a b", "ключ", "tab\t" }) {
			assertThatThrownBy(() -> MessageRules.checkIdempotencyKey(bad)).isInstanceOf(InvalidInputException.class)
				.hasMessageStartingWith("Idempotency-Key: ");
		}
	}

}
