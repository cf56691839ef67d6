package io.chatpipe.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * One run's report: {@code report.md}, {@code report.json} and {@code latency.png} under
 * {@code perf/results/<run>/}, written again after every scenario so that an interrupted
 * run still leaves what it measured.
 */
final class Report {

	private final Path dir;

	private final Map<String, Object> json = new LinkedHashMap<>();

	private final StringBuilder markdown = new StringBuilder();

	private final List<Chart.Series> series = new ArrayList<>();

	/** The highest share of a container's memory limit a tier's peak may take. */
	static final double CONTAINER_SHARE = 0.85;

	private final Map<String, List<Long>> residentKib = new LinkedHashMap<>();

	private final Map<String, Long> highWaterKib = new LinkedHashMap<>();

	private Map<String, Long> containerMib = Map.of();

	private static final List<String> problems = new ArrayList<>();

	Report(Path dir, String header, Map<String, Object> setup) throws IOException {
		this.dir = dir;
		Files.createDirectories(dir);
		this.json.put("setup", setup);
		this.markdown.append(header);
	}

	Path dir() {
		return this.dir;
	}

	/** Adds a section and writes everything so far. */
	void section(String key, String title, String body, Object data) throws IOException {
		this.json.put(key, data);
		this.markdown.append("\n## ").append(title).append("\n\n").append(body).append('\n');
		write();
	}

	void chart(Chart.Series line) {
		this.series.add(line);
	}

	/**
	 * Notes something that makes the run's figures untrustworthy (a tool that printed
	 * none, messages not stored); the harness lists them and exits non-zero.
	 */
	static synchronized void problem(String problem) {
		System.out.println("  PROBLEM: " + problem);
		problems.add(problem);
	}

	/**
	 * A step that answered nothing is a problem; in a smoke run, at its tiny rates, so is
	 * any failed request.
	 */
	static void check(String what, OpenModelLoad.Step step, boolean quick) {
		if (step.ok() == 0) {
			problem(what + " at " + step.rate() + "/s: no request succeeded");
		}
		else if (quick && step.failed() > 0) {
			problem(what + " at " + step.rate() + "/s: " + step.failed() + " requests failed in a smoke run"
					+ failures(step));
		}
	}

	/**
	 * Why a step's requests failed, as {@code " (503: 12, unanswered: 3)"}; empty if none
	 * did.
	 */
	static String failures(OpenModelLoad.Step step) {
		return (step.failed() == 0) ? "" : " (" + step.failures().describe() + ")";
	}

	static synchronized List<String> problems() {
		return List.copyOf(problems);
	}

	/**
	 * Keeps a tier's resident set size, sampled under load (at the end of each step, and
	 * every half second of a drain).
	 */
	synchronized void resident(String tier, long kib, long highWaterKib) {
		if (kib > 0) {
			this.residentKib.computeIfAbsent(tier, (name) -> new ArrayList<>()).add(kib);
		}
		this.highWaterKib.merge(tier, highWaterKib, Math::max);
	}

	/**
	 * Checks each tier's high-water mark against the container memory limit it runs under
	 * ({@code -XX:MaxRAM}), by tier: above {@link #CONTAINER_SHARE} of it is a problem.
	 */
	void containerLimits(Map<String, Long> mibByTier) {
		this.containerMib = Map.copyOf(mibByTier);
	}

	void write() throws IOException {
		Map<String, Object> all = new LinkedHashMap<>(this.json);
		all.put("median_rss_mib", mib(0.5));
		all.put("peak_rss_mib", mib(1.0));
		all.put("high_water_rss_mib", highWaterMib());
		if (!this.containerMib.isEmpty()) {
			all.put("container_memory_mib", new TreeMap<>(this.containerMib));
			highWaterMib().forEach((tier, mib) -> {
				Long limit = this.containerMib.get(tier);
				if (limit != null && mib > CONTAINER_SHARE * limit) {
					problem(String.format(Locale.ROOT, "%s peaked at %d MiB, over %.0f %% of its %d MiB container",
							tier, mib, CONTAINER_SHARE * 100, limit));
				}
			});
		}
		List<String> found = problems();
		all.put("problems", found);
		new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
			.writeValue(this.dir.resolve("report.json").toFile(), all);
		StringBuilder text = new StringBuilder(this.markdown);
		if (!found.isEmpty()) {
			text.append("\n## Problems\n\nThese make the figures above untrustworthy:\n\n");
			found.forEach((problem) -> text.append("- ").append(problem).append('\n'));
		}
		if (!this.residentKib.isEmpty()) {
			text.append("\n## Memory\n\nResident set size of each tier, sampled under load at the end of every step: "
					+ "the median (steady) and the highest sample; and the high-water mark (`VmHWM`, the true peak)"
					+ ((!this.containerMib.isEmpty()) ? String.format(Locale.ROOT,
							", against the container limit each tier ran under (`-XX:MaxRAM`), which it may "
									+ "fill to %.0f %% at most",
							CONTAINER_SHARE * 100) : "")
					+ ".\n\n| tier | median RSS MiB | peak sample MiB | high-water mark MiB | limit MiB | of the limit |\n"
					+ "|---|---:|---:|---:|---:|---:|\n");
			Map<String, Long> peaks = mib(1.0);
			Map<String, Long> highWater = highWaterMib();
			mib(0.5).forEach((tier, median) -> {
				Long limit = this.containerMib.get(tier);
				text.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s |%n", tier, median,
						peaks.get(tier), highWater.get(tier), (limit != null) ? limit.toString() : "-", (limit != null)
								? String.format(Locale.ROOT, "%.0f %%", 100.0 * highWater.get(tier) / limit) : "-"));
			});
		}
		if (!this.series.isEmpty()) {
			Chart.write(this.dir.resolve("latency.png"), "p99 latency against offered rate", "requests/s",
					"p99 ms (log)", this.series);
			text.append("\n![p99 latency against offered rate](latency.png)\n");
		}
		Files.writeString(this.dir.resolve("report.md"), text);
	}

	private synchronized Map<String, Long> highWaterMib() {
		Map<String, Long> mib = new LinkedHashMap<>();
		this.highWaterKib.forEach((tier, kib) -> mib.put(tier, Math.round(kib / 1024.0)));
		return mib;
	}

	/** Each tier's resident set size at this quantile of its samples (1.0: the peak). */
	private synchronized Map<String, Long> mib(double quantile) {
		Map<String, Long> mib = new LinkedHashMap<>();
		this.residentKib.forEach((tier, samples) -> {
			List<Long> sorted = samples.stream().sorted().toList();
			long kib = sorted.get((int) Math.ceil(quantile * sorted.size()) - 1);
			mib.put(tier, Math.round(kib / 1024.0));
		});
		return mib;
	}

	/** The markdown table and JSON rows of open-model steps. */
	static String stepTable(List<OpenModelLoad.Step> steps) {
		StringBuilder table = new StringBuilder(
				"| rate/s | offered/s | ok | failed | p50 ms | p99 ms | max ms |\n|---:|---:|---:|---:|---:|---:|---:|\n");
		for (OpenModelLoad.Step step : steps) {
			table.append(String.format(Locale.ROOT, "| %d | %.0f | %d | %d | %.1f | %.1f | %.1f |%n", step.rate(),
					step.offeredRate(), step.ok(), step.failed(), step.p50Millis(), step.p99Millis(),
					step.maxMillis()));
		}
		return table.toString();
	}

	static String format(double value) {
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	static String ratio(double figure, double limit) {
		return (limit > 0) ? String.format(Locale.ROOT, "%.0f %%", 100 * figure / limit) : "n/a";
	}

}
