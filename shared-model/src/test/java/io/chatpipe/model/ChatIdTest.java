package io.chatpipe.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatIdTest {

	@Test
	void namesAreSortedAndLowercased() {
		assertThat(ChatId.parse("B:a").value()).isEqualTo("a:b");
		assertThat(ChatId.parse("a:b")).isEqualTo(ChatId.parse("B:A"));
	}

	@Test
	void chatWithOneselfIsAllowed() {
		ChatId chat = ChatId.parse("Ann:ann");
		assertThat(chat.value()).isEqualTo("ann:ann");
		assertThat(chat.hasMember("ann")).isTrue();
	}

	@Test
	void namesMayUseDotsUnderscoresDashesAndDigitsUpTo64Characters() {
		String longest = "a".repeat(64);
		assertThat(ChatId.parse("a.b_c-9:" + longest).value()).isEqualTo("a.b_c-9:" + longest);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "a", "a:", ":b", "a:b:c", "a b:c", "a::b", "é:b", "a:b ", "a/b:c" })
	void malformedChatsAreRejectedNamingTheChatField(String raw) {
		assertThatThrownBy(() -> ChatId.parse(raw)).isInstanceOfSatisfying(InvalidInputException.class,
				(ex) -> assertThat(ex.violations()).extracting(FieldViolation::field).containsExactly("chat"));
	}

	@Test
	void aNameOf65CharactersIsRejected() {
		assertThatThrownBy(() -> ChatId.parse("a".repeat(65) + ":b")).isInstanceOf(InvalidInputException.class);
	}

	@Test
	void missingChatIsRequired() {
		assertThatThrownBy(() -> ChatId.parse(null)).hasMessage("chat: is required");
	}

}
