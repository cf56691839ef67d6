package io.chatpipe.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.chatpipe.testsupport.Redaction;

/** Runs an external measuring tool and reads one figure off its output. */
final class Tools {

	private Tools() {
	}

	static boolean installed(String command) {
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
			if (Files.isExecutable(Path.of(dir, command))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether the command is on the PATH and runs: Debian's {@code /usr/bin/pgbench} is a
	 * wrapper that fails where only the client package, not the server's, is installed.
	 */
	static boolean works(String... command) {
		if (!installed(command[0])) {
			return false;
		}
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** Runs the command and returns its output, which it also writes to {@code log}. */
	static String run(List<String> command, Path log) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		byte[] output = process.getInputStream().readAllBytes();
		if (!process.waitFor(10, TimeUnit.MINUTES)) {
			process.destroyForcibly();
		}
		String text = new String(output, StandardCharsets.UTF_8);
		Files.createDirectories(log.getParent());
		Files.writeString(log, Redaction.redact(String.join(" ", command) + "\n\n" + text));
		return text;
	}

	/**
	 * The first group of the first match of {@code figure} in the output, or 0 (and a
	 * note) when none.
	 */
	static double figure(String output, Pattern figure, Path log) {
		Matcher matcher = figure.matcher(output);
		if (!matcher.find()) {
			Report.problem("no figure matching " + figure + " in the output; see " + log);
			return 0;
		}
		return Double.parseDouble(matcher.group(1).replace(",", ""));
	}

}
