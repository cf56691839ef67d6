package io.chatpipe.perf;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HarnessTest {

	@Test
	void acceptsEveryDocumentedOption() {
		assertThat(Harness.wrongArgument(List.of("--quick", "--only=stream,send", "--backlog=2000",
				"--container-memory=640,query-api=1152", "--streams=200", "--stream-rate=50", "--stream-warm=60")))
			.isNull();
	}

	@Test
	void namesAnUnknownOptionInsteadOfRunningEverything() {
		assertThat(Harness.wrongArgument(List.of("--only=stream", "--streams-warm=60")))
			.isEqualTo("unknown option: --streams-warm=60");
		assertThat(Harness.wrongArgument(List.of("quick"))).isEqualTo("unknown option: quick");
		assertThat(Harness.wrongArgument(List.of("--only="))).isEqualTo("unknown option: --only=");
	}

	@Test
	void namesAnUnknownScenario() {
		assertThat(Harness.wrongArgument(List.of("--only=stream,streams"))).isEqualTo("unknown scenario: streams");
	}

	@Test
	void wantsWholeNumbersForCounts() {
		assertThat(Harness.wrongArgument(List.of("--streams=10k")))
			.isEqualTo("--streams= takes a whole number: --streams=10k");
	}

}
