package io.chatpipe.endtoend;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * One tier running as its own process from its packaged jar, as users run it.
 */
final class Tier implements AutoCloseable {

	private final String name;

	private final int port;

	private final Process process;

	private final Path log;

	private Tier(String name, int port, Process process, Path log) {
		this.name = name;
		this.port = port;
		this.process = process;
		this.log = log;
	}

	/**
	 * Starts the tier's jar (system property {@code chatpipe.<name>.jar}) with these
	 * Spring properties.
	 */
	static Tier start(String name, Map<String, Object> properties) throws IOException {
		Path jar = Path.of(System.getProperty("chatpipe." + name + ".jar", "missing"));
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("No runnable jar for " + name + " at " + jar
					+ ": package the tiers first (./mvnw verify builds them before these tests)");
		}
		int port = freePort();
		Path logs = Path.of(System.getProperty("chatpipe.logs", "target/tier-logs"));
		Files.createDirectories(logs);
		Path log = logs.resolve(name + "-" + port + ".log");
		List<String> command = new ArrayList<>(
				List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:+UseSerialGC", "-jar",
						jar.toString(), "--server.port=" + port, "--chatpipe.consumer.activity-log-interval=5s",
						"--chatpipe.publisher.activity-log-interval=5s", "--chatpipe.query.activity-log-interval=5s"));
		properties.forEach((key, value) -> command.add("--" + key + "=" + value));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new Tier(name, port, process, log);
	}

	URI uri(String pathAndQuery) {
		return URI.create("http://127.0.0.1:" + this.port + pathAndQuery);
	}

	/**
	 * Waits until the tier's readiness probe answers 200; fails at once if the process
	 * exits.
	 */
	void awaitReady(HttpClient http, Duration timeout) {
		Awaitility.await(this.name + " ready (log: " + this.log + ")")
			.atMost(timeout)
			.pollInterval(Duration.ofMillis(200))
			.failFast(this.name + " exited; see " + this.log, () -> !this.process.isAlive())
			.ignoreExceptionsInstanceOf(IOException.class)
			.until(() -> http
				.send(HttpRequest.newBuilder(uri("/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode() == 200);
	}

	/**
	 * Stops the tier as an orchestrator would: SIGTERM, a graceful shutdown, then SIGKILL
	 * if it hangs.
	 */
	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(40, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor();
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
