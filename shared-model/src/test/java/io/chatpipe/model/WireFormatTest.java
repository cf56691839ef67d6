package io.chatpipe.model;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireFormatTest {

	private static final ChatMessage MESSAGE = new ChatMessage(UUID.fromString("0b6c7a0e-2f8f-4a43-9d7f-0ff1c2a2b3c4"),
			ChatId.parse("a1:a2"), "a1", "héllo \"quoted\" \uD83D\uDE00", 1684770116123L);

	@Test
	void encodedMessageDecodesToTheSameMessage() {
		assertThat(WireFormat.decode(WireFormat.encode(MESSAGE))).isEqualTo(MESSAGE);
	}

	@Test
	void encodedMessageIsVersionedReadableJson() {
		assertThat(new String(WireFormat.encode(MESSAGE), StandardCharsets.UTF_8)).startsWith("{\"v\":1,")
			.contains("\"message_id\":\"0b6c7a0e-2f8f-4a43-9d7f-0ff1c2a2b3c4\"", "\"chat\":\"a1:a2\"",
					"\"accepted_at\":1684770116123");
	}

	@Test
	void sendTimeIsInSeconds() {
		assertThat(MESSAGE.sendTime()).isEqualTo(1684770116L);
	}

	@ParameterizedTest
	@ValueSource(strings = { "\u00ff\u00fe garbage", "[1,2]", "{\"hello\":\"world\"}",
			"{\"v\":2,\"message_id\":\"0b6c7a0e-2f8f-4a43-9d7f-0ff1c2a2b3c4\",\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"x\",\"accepted_at\":1}",
			"{\"v\":1,\"message_id\":\"nope\",\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"x\",\"accepted_at\":1}",
			"{\"v\":1,\"message_id\":\"0b6c7a0e-2f8f-4a43-9d7f-0ff1c2a2b3c4\",\"chat\":\"b:a\",\"sender\":\"a\",\"text\":\"x\",\"accepted_at\":1}",
			"{\"v\":1,\"message_id\":\"0b6c7a0e-2f8f-4a43-9d7f-0ff1c2a2b3c4\",\"chat\":\"a:b\",\"sender\":\"c\",\"text\":\"x\",\"accepted_at\":1}",
			"{\"v\":1,\"message_id\":\"0b6c7a0e-2f8f-4a43-9d7f-0ff1c2a2b3c4\",\"chat\":\"a:b\",\"sender\":\"a\",\"text\":5,\"accepted_at\":1}",
			"{\"v\":1,\"message_id\":\"0b6c7a0e-2f8f-4a43-9d7f-0ff1c2a2b3c4\",\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"\",\"accepted_at\":1}",
			"{\"v\":1,\"message_id\":\"0b6c7a0e-2f8f-4a43-9d7f-0ff1c2a2b3c4\",\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"x\",\"accepted_at\":\"soon\"}" })
	void anythingButAStorableMessageIsPoisonWithAReason(String body) {
		assertThatThrownBy(() -> WireFormat.decode(body.getBytes(StandardCharsets.ISO_8859_1)))
			.isInstanceOf(PoisonMessageException.class)
			.message()
			.matches("(undecodable|not a message|breaks the rules): .+");
	}

	@Test
	void longTextAcceptedUnderALargerPublisherLimitIsStillStorable() {
		ChatMessage longOne = new ChatMessage(UUID.randomUUID(), ChatId.parse("a:b"), "a", "x".repeat(10_000), 1L);
		assertThat(WireFormat.decode(WireFormat.encode(longOne))).isEqualTo(longOne);
	}

}
