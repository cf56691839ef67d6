package io.chatpipe.perf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RawLimitsTest {

	@Test
	void bindTurnsEachJdbcParameterIntoTheNextPgbenchVariable() {
		assertThat(RawLimits.bind("SELECT 1 FROM t WHERE a = ? AND b >= ?::bigint LIMIT ?", "chat", "seq", "rows"))
			.isEqualTo("SELECT 1 FROM t WHERE a = :chat AND b >= :seq::bigint LIMIT :rows");
	}

	@Test
	void bindRefusesAStatementWhoseParametersDoNotMatchTheVariables() {
		assertThatIllegalArgumentException().isThrownBy(() -> RawLimits.bind("SELECT ?, ?", "one"));
		assertThatIllegalArgumentException().isThrownBy(() -> RawLimits.bind("SELECT ?", "one", "two"));
	}

	@Test
	void theMeanMessageOnTheQueueIsLargerThanItsText() {
		// About 40 code points of text (more bytes: a quarter is Cyrillic), plus the
		// chat,
		// the sender, the id and the times.
		assertThat(Payloads.meanWireSize(2_000, 17)).isBetween(150, 400);
	}

}
