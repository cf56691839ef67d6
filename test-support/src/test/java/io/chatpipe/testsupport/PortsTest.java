package io.chatpipe.testsupport;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PortsTest {

	@Test
	void unusedNeverHandsOutAPortTwice() throws Exception {
		Set<Integer> ports = new HashSet<>();
		for (int i = 0; i < 2_000; i++) {
			assertThat(ports.add(Ports.unused())).as("port handed out again after %d others", i).isTrue();
		}
	}

}
