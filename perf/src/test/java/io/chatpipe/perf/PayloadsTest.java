package io.chatpipe.perf;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import io.chatpipe.model.ChatId;
import io.chatpipe.model.MessageRules;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PayloadsTest {

	private final Payloads payloads = new Payloads(42);

	@Test
	void textLengthsFollowTheMeasuredDistributionCutAtTheLimit() {
		int[] lengths = IntStream.range(0, 100_000).map((i) -> this.payloads.length()).sorted().toArray();
		// Log-normal(2.83, 1.15): median exp(2.83) = 17; ProcessOne measured 18.
		assertThat(lengths[lengths.length / 2]).isBetween(16, 18);
		assertThat(Arrays.stream(lengths).average().orElseThrow()).isCloseTo(32, within(3.0));
		assertThat(lengths[0]).isGreaterThanOrEqualTo(1);
		assertThat(lengths[lengths.length - 1]).isGreaterThan(500).isLessThanOrEqualTo(Payloads.MAX_LENGTH);
	}

	@Test
	void textsAreValidMessagesAndAQuarterAreNotAscii() {
		List<String> texts = IntStream.range(0, 20_000).mapToObj((i) -> this.payloads.text()).toList();
		long nonAscii = texts.stream().filter((text) -> text.chars().anyMatch((c) -> c > 0x7f)).count();
		assertThat(nonAscii / 20_000.0).isCloseTo(0.29, within(0.03));
		MessageRules rules = MessageRules.defaults();
		ChatId chat = ChatId.parse("a:b");
		texts.forEach((text) -> rules.check(chat.value(), "a", text));
	}

	@Test
	void chatsAreValidAndBothMembersCarryThePrefix() {
		for (Payloads.Chat chat : this.payloads.chats("r5000x", 200)) {
			assertThat(ChatId.parse(chat.id()).value()).startsWith("r5000x");
			assertThat(chat.first()).hasSizeBetween(9, 40);
		}
	}

}
