package io.chatpipe.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command-line tools (RabbitMQ's, PostgreSQL's, Patroni's) that tests drive
 * services of their own with.
 */
public final class Commands {

	private Commands() {
	}

	/**
	 * Runs a command to its end; returns its output, or throws with it when the command
	 * fails.
	 */
	public static String run(Map<String, String> environment, String... command) {
		try {
			ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
			builder.environment().putAll(environment);
			Process process = builder.start();
			if (!process.waitFor(120, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("timed out: " + String.join(" ", command));
			}
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				throw new IllegalStateException(
						"failed (" + process.exitValue() + "): " + String.join(" ", command) + "\n" + output);
			}
			return output;
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot run " + command[0] + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted: " + String.join(" ", command), ex);
		}
	}

	/**
	 * The first of these executables that exists, or a failure that says what to install.
	 */
	public static String find(String what, String... candidates) {
		for (String candidate : candidates) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		throw new IllegalStateException("This test starts and stops a " + what
				+ " of its own, and needs its tools installed on this machine (looked for "
				+ String.join(", ", candidates)
				+ "); .ci/run installs them. On Debian/Ubuntu: apt-get install rabbitmq-server postgresql patroni etcd-server.");
	}

}
