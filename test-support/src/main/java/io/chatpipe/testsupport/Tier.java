package io.chatpipe.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * One tier running as its own process from its packaged jar, as users run it: started,
 * stopped gracefully (SIGTERM) or killed (SIGKILL), and started again on the same port.
 */
public final class Tier implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	/**
	 * System property: the tiers' JVM options file, {@code deploy/jvm.options}, which the
	 * images and {@code ./chatpipe run} use too (the build sets it).
	 */
	public static final String JVM_OPTIONS_FILE = "chatpipe.tier.jvm-options-file";

	/**
	 * System property: JVM options added after the files', space-separated, for
	 * experiments only: a figure measured with them is not what users run. The same
	 * property suffixed with a tier's name ({@code .query-api}) adds options to that tier
	 * alone.
	 */
	public static final String EXTRA_JVM_OPTIONS = "chatpipe.tier.extra-jvm-options";

	/**
	 * System property: the folder of the tiers' AOT caches and extracted jars, as
	 * {@code ./chatpipe run} trains them ({@code target/aot}); where a tier has a cache
	 * there, it starts as {@code ./chatpipe run} starts it, from the cache.
	 */
	public static final String AOT_DIR = "chatpipe.tier.aot-dir";

	private final String name;

	private final int port;

	private final Map<String, Object> properties;

	private Process process;

	private Path log;

	private Tier(String name, int port, Map<String, Object> properties) {
		this.name = name;
		this.port = port;
		this.properties = properties;
	}

	/**
	 * Starts the tier's jar (system property {@code chatpipe.<name>.jar}) on a free port
	 * with these Spring properties, without waiting for it.
	 */
	public static Tier start(String name, Map<String, Object> properties) throws IOException {
		Tier tier = new Tier(name, Ports.unused(), Map.copyOf(properties));
		tier.launch();
		return tier;
	}

	/**
	 * Starts the tier's process again, on the same port, after it stopped or was killed.
	 */
	public void restart() throws IOException {
		if (this.process != null && this.process.isAlive()) {
			throw new IllegalStateException(this.name + " is still running");
		}
		launch();
	}

	private void launch() throws IOException {
		Path jar = Path.of(System.getProperty("chatpipe." + this.name + ".jar", "missing"));
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("No runnable jar for " + this.name + " at " + jar
					+ ": package the tiers first (./mvnw verify builds them before these tests)");
		}
		Path logs = Path.of(System.getProperty("chatpipe.logs", "target/tier-logs"));
		Files.createDirectories(logs);
		this.log = logs.resolve(this.name + "-" + this.port + "-" + System.currentTimeMillis() + ".log");
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.add("@" + jvmOptionsFile());
		ownJvmOptionsFile(this.name).ifPresent((own) -> command.add("@" + own));
		Path aot = Path.of(System.getProperty(AOT_DIR, "none"));
		Path cache = aot.resolve(this.name + ".aot");
		Path extracted = aot.resolve(this.name).resolve(jar.getFileName());
		boolean cached = Files.isRegularFile(cache) && Files.isRegularFile(extracted);
		if (cached) {
			command.add("-XX:AOTCache=" + cache);
		}
		command.addAll(extraJvmOptions());
		command.addAll(extraJvmOptions(this.name));
		command.addAll(List.of("-jar", (cached ? extracted : jar).toString(), "--server.port=" + this.port));
		this.properties.forEach((key, value) -> command.add("--" + key + "=" + value));
		this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(this.log.toFile()).start();
	}

	/** The tiers' JVM options file, as every way of running a tier uses it. */
	public static Path jvmOptionsFile() {
		Path file = Path.of(System.getProperty(JVM_OPTIONS_FILE, "missing"));
		if (!Files.isRegularFile(file)) {
			throw new IllegalStateException(
					"No JVM options file for the tiers at " + file + ": set the system property " + JVM_OPTIONS_FILE
							+ " to the repository's deploy/jvm.options (the build does)");
		}
		return file;
	}

	/**
	 * A tier's own JVM options file beside {@code deploy/jvm.options}
	 * ({@code deploy/query-api.jvm.options}), read after it, where the tier has one.
	 */
	public static Optional<Path> ownJvmOptionsFile(String tier) {
		Path own = jvmOptionsFile().resolveSibling(tier + ".jvm.options");
		return Files.isRegularFile(own) ? Optional.of(own) : Optional.empty();
	}

	/** The experiment's extra JVM options ({@link #EXTRA_JVM_OPTIONS}), usually none. */
	public static List<String> extraJvmOptions() {
		return split(System.getProperty(EXTRA_JVM_OPTIONS, ""));
	}

	/**
	 * The system property that holds one tier's own extra JVM options, read after those
	 * of every tier.
	 */
	public static String extraJvmOptionsProperty(String tier) {
		return EXTRA_JVM_OPTIONS + "." + tier;
	}

	/**
	 * One tier's own extra JVM options ({@link #extraJvmOptionsProperty}), usually none.
	 */
	public static List<String> extraJvmOptions(String tier) {
		return split(System.getProperty(extraJvmOptionsProperty(tier), ""));
	}

	private static List<String> split(String options) {
		return options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
	}

	/** Where the tier's output goes (the log of its latest start). */
	public Path log() {
		return this.log;
	}

	public String name() {
		return this.name;
	}

	/** How long ago the tier's current process started. */
	public Duration sinceStart() {
		return Duration.between(this.process.info().startInstant().orElseThrow(), Instant.now());
	}

	/** The process id of the tier's JVM. */
	public long pid() {
		return this.process.pid();
	}

	public URI uri(String pathAndQuery) {
		return URI.create("http://127.0.0.1:" + this.port + pathAndQuery);
	}

	/**
	 * Waits until the tier's readiness probe answers 200; fails at once if the process
	 * exits.
	 */
	public Tier awaitReady(Duration timeout) {
		Awaitility.await(this.name + " ready (log: " + this.log + ")")
			.atMost(timeout)
			.pollInterval(Duration.ofMillis(200))
			.failFast(this.name + " exited; see " + this.log, () -> !this.process.isAlive())
			.ignoreExceptionsInstanceOf(IOException.class)
			.until(() -> http
				.send(HttpRequest.newBuilder(uri("/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode() == 200);
		return this;
	}

	/**
	 * SIGTERM, as an orchestrator stops a pod: the tier shuts down gracefully. Waits for
	 * it to exit.
	 */
	public void stop() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(40, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor();
			throw new IllegalStateException(this.name + " did not stop within 40 s of SIGTERM; see " + this.log);
		}
	}

	/**
	 * Waits for the process to exit by itself (a one-shot mode such as migrate-only).
	 * @return its exit code
	 */
	public int awaitExit(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException(this.name + " did not exit within " + timeout + "; see " + this.log);
		}
		return this.process.exitValue();
	}

	/**
	 * The process's resident set size in KiB, from {@code /proc}; 0 where that is not
	 * readable (not Linux, or the process ended).
	 */
	public long residentKib() {
		return statusKib("VmRSS:");
	}

	/**
	 * The highest resident set size the process has had, in KiB ({@code VmHWM}: the true
	 * peak, not a sample); 0 where that is not readable.
	 */
	public long highWaterKib() {
		return statusKib("VmHWM:");
	}

	private long statusKib(String field) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/" + this.process.pid() + "/status"))) {
				if (line.startsWith(field)) {
					return Long.parseLong(line.replaceAll("[^0-9]", ""));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not readable: reported as 0
		}
		return 0;
	}

	/** SIGKILL: the tier dies wherever it is, as in a crash or an OOM kill. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly().waitFor();
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroy();
			if (!this.process.waitFor(40, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor();
			}
		}
	}

}
