package io.chatpipe.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the RabbitMQ and PostgreSQL command-line tools the suite drives its own services
 * with.
 */
final class Commands {

	private Commands() {
	}

	/**
	 * Runs a command to its end; returns its output, or throws with it when the command
	 * fails.
	 */
	static String run(Map<String, String> environment, String... command) {
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
	static String find(String what, String... candidates) {
		for (String candidate : candidates) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		throw new IllegalStateException("The fault-injection suite starts and stops a " + what
				+ " of its own, and needs its tools installed on this machine (looked for "
				+ String.join(", ", candidates)
				+ "). On Debian/Ubuntu: apt-get install rabbitmq-server postgresql patroni etcd-server.");
	}

}
