package io.chatpipe.publisher.send;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.FieldViolation;
import io.chatpipe.model.InvalidInputException;
import io.chatpipe.model.MessageRules;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class SendRequestReaderTest {

	private final SendRequestReader reader = new SendRequestReader(MessageRules.defaults(), new ObjectMapper());

	@Test
	void aValidRequestBecomesACanonicalMessageStampedNow() throws Exception {
		ChatMessage message = this.reader.read(body("{\"chat\":\"B:a\",\"sender\":\"B\",\"text\":\"hi\",\"extra\":1}"),
				null, 1_700_000_000_123L);
		assertThat(message.chat().value()).isEqualTo("a:b");
		assertThat(message.sender()).isEqualTo("b");
		assertThat(message.sendTime()).isEqualTo(1_700_000_000L);
		assertThat(message.messageId().version()).isEqualTo(4);
	}

	@Test
	void anIdempotencyKeyGivesEveryRetryTheSameId() throws Exception {
		byte[] body = body("{\"chat\":\"a:b\",\"sender\":\"a\",\"text\":\"hi\"}");
		ChatMessage first = this.reader.read(body, "order-17", 1L);
		ChatMessage retry = this.reader.read(body, "order-17", 2L);
		assertThat(retry.messageId()).isEqualTo(first.messageId());
		assertThat(this.reader.read(body, "order-18", 1L).messageId()).isNotEqualTo(first.messageId());
	}

	@Test
	void wrongTypesAreReportedOncePerFieldInFieldOrder() throws Exception {
		assertThatThrownBy(() -> this.reader.read(body("{\"text\":5,\"chat\":[\"a\"],\"sender\":true}"), "bad key", 1L))
			.isInstanceOfSatisfying(InvalidInputException.class,
					(ex) -> assertThat(ex.violations()).extracting(FieldViolation::field, FieldViolation::message)
						.containsExactly(tuple("chat", "must be a string, was array"),
								tuple("sender", "must be a string, was boolean"),
								tuple("text", "must be a string, was number"),
								tuple("Idempotency-Key", "must be 1..255 visible ASCII characters (0x21-0x7E)")));
	}

	@Test
	void aBodyThatIsNotAnObjectIsRejected() throws Exception {
		assertThatThrownBy(() -> this.reader.read(body("[1,2]"), null, 1L)).hasMessageStartingWith("body: ");
	}

	@Test
	void aMissingOrBlankBodyIsRequired() {
		assertThatThrownBy(() -> this.reader.read(new byte[0], null, 1L)).hasMessage("body: is required");
		assertThatThrownBy(() -> this.reader.read(body(" \n"), null, 1L)).hasMessage("body: is required");
	}

	@Test
	void malformedJsonIsRejectedNamingTheBody() {
		assertThatThrownBy(() -> this.reader.read(body("{\"chat\":"), null, 1L))
			.isInstanceOf(InvalidInputException.class)
			.hasMessageStartingWith("body: is not valid JSON: ");
	}

	private static byte[] body(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
