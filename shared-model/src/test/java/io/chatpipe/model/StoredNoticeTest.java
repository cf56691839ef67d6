package io.chatpipe.model;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class StoredNoticeTest {

	@Test
	void anEncodedNoticeDecodesToTheSameNotice() {
		StoredNotice notice = new StoredNotice(Map.of("a1:a2", 12L, "b1:b2", 0L, "ünï:cödé", 3L), 1684770116123L);

		assertThat(StoredNotice.decode(notice.encode())).isEqualTo(notice);
	}

	@Test
	void anEncodedNoticeIsVersionedReadableJson() {
		assertThat(new String(new StoredNotice(Map.of("a1:a2", 12L), 7L).encode(), StandardCharsets.UTF_8))
			.isEqualTo("{\"v\":1,\"stored_at\":7,\"chats\":{\"a1:a2\":12}}");
	}

	@ParameterizedTest
	@ValueSource(strings = { "not json", "[]", "{\"v\":2,\"stored_at\":1,\"chats\":{}}", "{\"v\":1,\"chats\":{}}",
			"{\"v\":1,\"stored_at\":1,\"chats\":[]}", "{\"v\":1,\"stored_at\":1,\"chats\":{\"a:b\":\"12\"}}" })
	void anythingElseIsRefusedWithTheReason(String body) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> StoredNotice.decode(body.getBytes(StandardCharsets.UTF_8)))
			.satisfies((ex) -> assertThat(ex.getMessage()).isNotBlank());
	}

}
