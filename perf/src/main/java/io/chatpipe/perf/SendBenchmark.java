package io.chatpipe.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.PostgresService;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Send-only at rising arrival rates until errors or the p99 bar break (the knee), with
 * the end-to-end persist lag (publisher accept to consumer commit) of every step. Starts
 * the packaged publisher and consumer on a topology and a database of their own, and
 * writes {@code perf/results/<run>/send.md} and {@code send.json}.
 * <p>
 * {@code ./chatpipe perf} runs it; {@code ./chatpipe perf --quick} is the seconds-long
 * smoke run.
 */
public final class SendBenchmark {

	/** The bar a step must meet to count as sustained: no more errors, and this p99. */
	static final double MAX_ERROR_RATE = 0.001;

	static final double MAX_P99_MILLIS = 25;

	private SendBenchmark() {
	}

	public static void main(String[] arguments) throws Exception {
		boolean quick = List.of(arguments).contains("--quick");
		List<Integer> rates = quick ? List.of(100, 200) : List.of(500, 1000, 2000, 3000, 4000, 5000, 6000, 7500, 9000);
		Duration stepLength = quick ? Duration.ofSeconds(2) : Duration.ofSeconds(10);
		String run = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
		Topology topology = TestServices.isolatedTopology(8, 20);
		String database = TestServices.newDatabase();
		Map<String, Object> broker = new HashMap<>(TestServices.rabbitProperties());
		broker.putAll(TestServices.topologyProperties(topology));
		Map<String, Object> both = new HashMap<>(broker);
		both.putAll(TestServices.postgresProperties(database));

		List<Map<String, Object>> steps = new ArrayList<>();
		Integer knee = null;
		try (Tier consumer = Tier.start("consumer", both).awaitReady(Duration.ofSeconds(90));
				Tier publisher = Tier.start("publisher", broker).awaitReady(Duration.ofSeconds(90))) {
			OpenModelLoad load = new OpenModelLoad(publisher.uri("/api/send"));
			if (!quick) {
				load.run(500, Duration.ofSeconds(5), "warmup", 100); // JIT and connection
																		// warm-up, not
																		// reported
			}
			System.out.printf("%8s %8s %9s %8s %8s %8s %8s %10s %10s%n", "rate/s", "offered", "errors", "p50 ms",
					"p99 ms", "max ms", "lag p50", "lag p99", "lag max");
			for (int rate : rates) {
				String prefix = "r" + rate + "x";
				OpenModelLoad.Step step = load.run(rate, stepLength, prefix, 200);
				double[] lag = persistLag(database, "peer:" + prefix + "%", step.ok());
				System.out.printf(Locale.ROOT, "%8d %8.0f %9d %8.1f %8.1f %8.1f %8.0f %10.0f %10.0f%n", rate,
						step.offeredRate(), step.failed(), step.p50Millis(), step.p99Millis(), step.maxMillis(), lag[0],
						lag[1], lag[2]);
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("rate", rate);
				row.put("offered_rate", Math.round(step.offeredRate()));
				row.put("requests", step.requests());
				row.put("ok", step.ok());
				row.put("failed", step.failed());
				row.put("send_p50_ms", step.p50Millis());
				row.put("send_p99_ms", step.p99Millis());
				row.put("send_max_ms", step.maxMillis());
				row.put("persist_lag_p50_ms", lag[0]);
				row.put("persist_lag_p99_ms", lag[1]);
				row.put("persist_lag_max_ms", lag[2]);
				steps.add(row);
				boolean sustained = step.errorRate() <= MAX_ERROR_RATE && step.p99Millis() <= MAX_P99_MILLIS;
				if (sustained) {
					knee = rate;
				}
				else if (!quick) {
					break; // past the knee; the smoke run (no warm-up, cold JIT) only
							// exercises every step
				}
			}
		}
		write(run, quick, stepLength, steps, knee);
	}

	/**
	 * Percentiles (ms) of accept-to-commit time of a step's messages, once all its 200s
	 * are stored.
	 */
	private static double[] persistLag(String database, String chatPattern, long expected) throws Exception {
		PostgresService postgres = TestServices.postgres();
		try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(database), postgres.username(),
				postgres.password())) {
			try {
				Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
					try (PreparedStatement count = connection
						.prepareStatement("SELECT count(*) FROM messages WHERE chat LIKE ?")) {
						count.setString(1, chatPattern);
						try (ResultSet rows = count.executeQuery()) {
							rows.next();
							return rows.getLong(1) >= expected;
						}
					}
				});
			}
			catch (ConditionTimeoutException ex) {
				System.out.println("  (not every 200 of this step was stored within 60 s: the lag below is partial)");
			}
			try (PreparedStatement lag = connection.prepareStatement(
					"""
							SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms),
							       max(ms)
							FROM (SELECT extract(epoch FROM stored_at - accepted_at) * 1000 AS ms
							      FROM messages WHERE chat LIKE ?) AS lags""")) {
				lag.setString(1, chatPattern);
				try (ResultSet rows = lag.executeQuery()) {
					rows.next();
					return new double[] { rows.getDouble(1), rows.getDouble(2), rows.getDouble(3) };
				}
			}
		}
	}

	private static void write(String run, boolean quick, Duration stepLength, List<Map<String, Object>> steps,
			Integer knee) throws Exception {
		Path dir = Path.of(System.getProperty("chatpipe.perf.results", "perf/results")).resolve(run);
		Files.createDirectories(dir);
		Map<String, Object> report = new LinkedHashMap<>();
		report.put("benchmark", "send-only, open model, rising rates");
		report.put("quick", quick);
		report.put("step_seconds", stepLength.toSeconds());
		report.put("bar", Map.of("max_error_rate", MAX_ERROR_RATE, "max_p99_ms", MAX_P99_MILLIS));
		report.put("sustained_rate", knee);
		report.put("cores", Runtime.getRuntime().availableProcessors());
		report.put("steps", steps);
		new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
			.writeValue(dir.resolve("send.json").toFile(), report);
		StringBuilder markdown = new StringBuilder("# Send-only, open model\n\n")
			.append("Each step sends at a fixed rate for ")
			.append(stepLength.toSeconds())
			.append(" s; latency is measured from each request's intended start. Highest rate that met the bar (error ")
			.append("rate <= 0.1 %, p99 <= 25 ms): **")
			.append((knee != null) ? knee + "/s" : "none")
			.append("** on ")
			.append(Runtime.getRuntime().availableProcessors())
			.append(" cores, everything co-located.\n\n")
			.append("| rate/s | offered/s | failed | send p50 ms | send p99 ms | send max ms | persist lag p50 ms | p99 ms | max ms |\n")
			.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Map<String, Object> step : steps) {
			markdown.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f |%n",
					step.get("rate"), step.get("offered_rate"), step.get("failed"), step.get("send_p50_ms"),
					step.get("send_p99_ms"), step.get("send_max_ms"), step.get("persist_lag_p50_ms"),
					step.get("persist_lag_p99_ms"), step.get("persist_lag_max_ms")));
		}
		Files.writeString(dir.resolve("send.md"), markdown);
		System.out.println("\nReport: " + dir.resolve("send.md") + " and send.json");
	}

}
