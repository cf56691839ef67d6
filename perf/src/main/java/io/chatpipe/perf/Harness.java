package io.chatpipe.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;

/**
 * The benchmark harness: chatpipe's scenarios against the packaged tiers, then the raw
 * limits of the box, and a report ({@code report.md}, {@code report.json},
 * {@code latency.png}) under {@code perf/results/<run>/}.
 * <p>
 * {@code ./chatpipe perf} runs it all (about 20 minutes on 2 cores; the first run also
 * seeds the 5M-message pull table, about a minute); {@code ./chatpipe perf --quick} is
 * the two-minute smoke run of every scenario with tiny rates.
 * {@code --only=warmup,raw,send,drain,pull,mixed,stream} picks scenarios;
 * {@code --streams=N} and {@code --stream-rate=R} size the live-stream scenario, and
 * {@code --stream-warm=S} is how many seconds of sends it warms the tiers with before it
 * measures (10 by default: the first minute after a cold start); {@code --backlog=N} sets
 * the drain backlog (default 1,000,000).
 */
public final class Harness {

	/** The tiers the benchmark starts, by the names their jars and options files have. */
	private static final List<String> TIERS = List.of("publisher", "consumer", "query-api");

	/** What the original assignment's Go + Redis backend did on a laptop. */
	static final String ORIGINAL = "served 1,000 sends/s cleanly and broke into timeouts above 5,000/s";

	private Harness() {
	}

	/** The scenarios, in the order they run. */
	private static final List<String> SCENARIOS = List.of("warmup", "raw", "send", "drain", "pull", "mixed", "stream");

	private static final String USAGE = """
			usage: ./chatpipe perf [--quick] [--only=%s] [--backlog=N]
			                       [--container-memory=MiB | --container-memory=MiB,<tier>=MiB]
			                       [--streams=N] [--stream-rate=R] [--stream-warm=S]
			                       [-Dperf.tier.extra-jvm-options="..."]   (an experiment's JVM options)
			perf/README.md says what each scenario measures and what each option does."""
		.formatted(String.join(",", SCENARIOS));

	/** The options that take a whole number. */
	private static final List<String> COUNTS = List.of("--backlog=", "--streams=", "--stream-rate=", "--stream-warm=");

	private static final List<String> OPTIONS = Stream
		.concat(Stream.of("--quick", "--only=", "--container-memory="), COUNTS.stream())
		.toList();

	public static void main(String[] arguments) throws Exception {
		List<String> args = List.of(arguments);
		if (args.contains("--help") || args.contains("-h")) {
			System.out.println(USAGE);
			return;
		}
		String wrong = wrongArgument(args);
		if (wrong != null) {
			System.err.println(wrong + "\n" + USAGE);
			System.exit(2);
		}
		boolean quick = args.contains("--quick");
		List<String> only = args.stream()
			.filter((a) -> a.startsWith("--only="))
			.findFirst()
			.map((a) -> List.of(a.substring(7).split(",")))
			.orElse(SCENARIOS);
		int backlog = args.stream()
			.filter((a) -> a.startsWith("--backlog="))
			.findFirst()
			.map((a) -> Integer.parseInt(a.substring(10)))
			.orElse(quick ? 2_000 : 1_000_000);
		// Read before the container limits below add their -XX:MaxRAM to each tier's
		// extras.
		String tierJvmOptions = tierJvmOptions();
		// The tiers as in containers of these memory limits (--container-memory=640 for
		// every tier, or 640,query-api=1152 with a tier's own): the JVM sizes what it
		// derives from the machine's memory to its limit, and the report checks each
		// tier's peak against it.
		Map<String, Long> containerMib = args.stream()
			.filter((a) -> a.startsWith("--container-memory="))
			.findFirst()
			.map((a) -> containerLimits(a.substring(19)))
			.orElse(Map.of());
		containerMib.forEach((tier, mib) -> {
			String property = Tier.extraJvmOptionsProperty(tier);
			System.setProperty(property, (System.getProperty(property, "") + " -XX:MaxRAM=" + mib + "m").trim());
		});
		String run = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
				+ (quick ? "-quick" : "");
		Path dir = Path.of(System.getProperty("chatpipe.perf.results", "perf/results")).resolve(run);
		Map<String, Object> setup = new LinkedHashMap<>();
		setup.put("quick", quick);
		setup.put("cores", Runtime.getRuntime().availableProcessors());
		setup.put("tier_jvm_options", tierJvmOptions);
		setup.put("rabbitmq", TestServices.rabbit().origin());
		setup.put("postgresql", TestServices.postgres().origin());
		setup.put("java", Runtime.version().toString());
		Report report = new Report(dir, String.format(Locale.ROOT,
				"# chatpipe benchmark %s%n%n%d cores, everything co-located (RabbitMQ, PostgreSQL, the tiers and the "
						+ "load generator). Tiers run with `%s`.%s Reproduce: `./chatpipe perf%s`.%n",
				run, Runtime.getRuntime().availableProcessors(), setup.get("tier_jvm_options"),
				quick ? " **Smoke run: tiny rates, figures mean nothing.**" : "",
				args.isEmpty() ? "" : " " + String.join(" ", args)), setup);
		report.containerLimits(containerMib);
		Wrk.logs = dir;
		PullScenario.Table table = PullScenario.Table.of(quick);
		if (only.contains("pull") || only.contains("mixed") || only.contains("raw") || only.contains("warmup")) {
			PullScenario.seed(table);
		}

		// First: it needs tiers nothing has warmed.
		if (only.contains("warmup")) {
			WarmUpScenario.run(report, quick, table);
		}
		SendScenario.Result send = only.contains("send") ? SendScenario.run(report, quick) : null;
		Map<Integer, Double> drain = only.contains("drain") ? DrainScenario.run(report, quick, backlog) : Map.of();
		PullScenario.Result pull = only.contains("pull") ? PullScenario.run(report, quick, table) : null;
		Integer mixed = only.contains("mixed") ? MixedScenario.run(report, quick, table) : null;
		if (only.contains("stream")) {
			StreamScenario.run(report, quick, intArgument(args, "--streams="), intArgument(args, "--stream-rate="),
					intArgument(args, "--stream-warm="));
		}
		// Last: PerfTest and pgbench leave RabbitMQ and PostgreSQL busy for a while after
		// (segment compaction, autovacuum), which slowed the scenarios run after them.
		RawLimits.Limits limits = RawLimits.Limits.none();
		if (only.contains("raw")) {
			System.out.println("raw limits");
			RawLimits.Broker broker = RawLimits.perfTest(report, quick);
			String insertDatabase = TestServices.newDatabase();
			Stack.ensureDatabase(insertDatabase);
			limits = new RawLimits.Limits(broker, RawLimits.pgbenchInsert(report, insertDatabase, quick),
					RawLimits.pgbenchPages(report, table.database(), table, quick));
			report.section("raw", "Raw limits of this box", RawLimits.markdown(limits), RawLimits.json(limits));
		}

		report.section("summary", "Summary against the raw limits", summary(limits, send, drain, pull, mixed),
				Map.of("original_assignment", ORIGINAL));
		System.out.println("\nReport: " + dir.resolve("report.md") + " (and report.json, latency.png)");
		List<String> problems = Report.problems();
		if (!problems.isEmpty()) {
			System.out.println(problems.size() + " problem(s) make this run's figures untrustworthy:");
			problems.forEach((problem) -> System.out.println("  " + problem));
			System.exit(1);
		}
	}

	/** What is wrong with the arguments, or null: each must be a known option. */
	static String wrongArgument(List<String> args) {
		for (String arg : args) {
			String option = OPTIONS.stream()
				.filter((o) -> o.endsWith("=") ? arg.startsWith(o) && arg.length() > o.length() : arg.equals(o))
				.findFirst()
				.orElse(null);
			if (option == null) {
				return "unknown option: " + arg;
			}
			if (option.equals("--only=")) {
				for (String scenario : arg.substring(option.length()).split(",")) {
					if (!SCENARIOS.contains(scenario)) {
						return "unknown scenario: " + scenario;
					}
				}
			}
			if (COUNTS.contains(option) && !arg.substring(option.length()).matches("[0-9]+")) {
				return option + " takes a whole number: " + arg;
			}
		}
		return null;
	}

	private static int intArgument(List<String> args, String prefix) {
		return args.stream()
			.filter((a) -> a.startsWith(prefix))
			.findFirst()
			.map((a) -> Integer.parseInt(a.substring(prefix.length())))
			.orElse(0);
	}

	/**
	 * Each tier's container memory limit in MiB from {@code 640} (every tier) or
	 * {@code 640,query-api=1152} (every tier, and the query API its own).
	 */
	static Map<String, Long> containerLimits(String value) {
		Map<String, Long> limits = new LinkedHashMap<>();
		for (String part : value.split(",")) {
			String[] tierAndMib = part.split("=", 2);
			if (tierAndMib.length == 1) {
				TIERS.forEach((tier) -> limits.putIfAbsent(tier, mib(tierAndMib[0])));
			}
			else {
				limits.put(tierAndMib[0].trim(), mib(tierAndMib[1]));
			}
		}
		return limits;
	}

	private static long mib(String value) {
		return Long.parseLong(value.trim().replace("Mi", ""));
	}

	/**
	 * The tiers' JVM options as the report states them: the options file's, and any
	 * experiment's extras, for every tier or for one
	 * ({@code chatpipe.tier.extra-jvm-options.<tier>}).
	 */
	private static String tierJvmOptions() throws IOException {
		String file = options(Tier.jvmOptionsFile());
		StringBuilder own = new StringBuilder();
		for (String tier : TIERS) {
			Optional<Path> ownFile = Tier.ownJvmOptionsFile(tier);
			if (ownFile.isPresent()) {
				own.append(", then for the ")
					.append(tier)
					.append(" deploy/")
					.append(ownFile.get().getFileName())
					.append(" (")
					.append(options(ownFile.get()))
					.append(")");
			}
		}
		List<String> extra = new ArrayList<>(Tier.extraJvmOptions());
		for (String tier : TIERS) {
			List<String> tierExtra = Tier.extraJvmOptions(tier);
			if (!tierExtra.isEmpty()) {
				extra.add("(" + tier + " only) " + String.join(" ", tierExtra));
			}
		}
		Path aot = Path.of(System.getProperty(Tier.AOT_DIR, "none"));
		boolean cached = Files.isRegularFile(aot.resolve("publisher.aot"));
		return "deploy/jvm.options (" + file + ")" + own
				+ (cached ? ", with the AOT caches ./chatpipe run trains (target/aot)" : ", without AOT caches")
				+ (extra.isEmpty() ? "" : " plus, for this experiment only, " + String.join(" ", extra));
	}

	private static String options(Path file) throws IOException {
		return Files.readAllLines(file)
			.stream()
			.map((line) -> line.replaceAll("#.*", "").trim())
			.filter((line) -> !line.isEmpty())
			.collect(Collectors.joining(" "));
	}

	private static String summary(RawLimits.Limits limits, SendScenario.Result send, Map<Integer, Double> drain,
			PullScenario.Result pull, Integer mixed) {
		StringBuilder text = new StringBuilder(
				"| chatpipe figure | value | raw limit it depends on | ratio |\n|---|---:|---|---:|\n");
		if (send != null) {
			text.append(row("sends/s at the knee (p99 <= 25 ms, no errors)", send.knee(), "RabbitMQ publish (PerfTest)",
					limits.broker().published()));
			text.append(row("sends persisted/s, highest error-free step held 60 s", send.sustained(),
					"RabbitMQ publish (PerfTest)", limits.broker().published()));
			text.append(row("publisher closed-loop requests/s (wrk)", send.wrkRate(), "RabbitMQ publish (PerfTest)",
					limits.broker().published()));
		}
		double bottleneck = Math.min(limits.broker().consumed(), limits.postgresInsertRows());
		drain.forEach((replicas, rate) -> text.append(row("drain msg/s, " + replicas + " consumer replica(s)", rate,
				"min(RabbitMQ consume, PostgreSQL insert rows)", bottleneck)));
		if (pull != null) {
			text.append(row("pulls/s at the knee (p99 <= 10 ms)", pull.knee(), "PostgreSQL page queries (pgbench)",
					limits.postgresPages()));
			text.append(row("query API closed-loop pages/s (wrk)", pull.wrkRate(), "PostgreSQL page queries (pgbench)",
					limits.postgresPages()));
		}
		if (mixed != null) {
			text.append(String.format(Locale.ROOT, "| mixed 80/20 requests/s meeting both bars | %s | | |%n",
					Report.format(mixed)));
		}
		text.append("\nThe original assignment's Go + Redis backend ").append(ORIGINAL).append(".\n");
		return text.toString();
	}

	private static String row(String figure, double value, String limitName, double limit) {
		return String.format(Locale.ROOT, "| %s | %s | %s: %s | %s |%n", figure, Report.format(value), limitName,
				Report.format(limit), Report.ratio(value, limit));
	}

}
