package io.chatpipe.perf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;

/**
 * The warm-up curve from a cold start, with the tiers as users start them
 * ({@code deploy/jvm.options}, nothing warmed before): for the publisher (a consumer
 * behind it) and the query API, the time from the process's start to ready, then the
 * requests/s of closed-loop wrk (64 connections; sends over 200 chats, the pull
 * scenario's mix) in windows of 5 s for 90 s, and the resident set size at the end.
 * <i>Warm</i> is the mean of the windows after 60 s of load, <i>the first 20 s</i> the
 * mean of the first four.
 */
final class WarmUpScenario {

	private WarmUpScenario() {
	}

	/**
	 * One tier's curve.
	 *
	 * @param tier the tier
	 * @param readySeconds from the process's start to its readiness probe's first 200
	 * @param rates requests/s in each window
	 * @param windowSeconds the windows' length
	 * @param residentMib the resident set size after the last window
	 */
	record Curve(String tier, double readySeconds, double[] rates, int windowSeconds, double residentMib) {

		double first20() {
			return mean(0, Math.max(1, 20 / this.windowSeconds));
		}

		double warm() {
			return mean(Math.min(this.rates.length - 1, 60 / this.windowSeconds), this.rates.length);
		}

		private double mean(int from, int to) {
			if (this.rates.length == 0) {
				return 0;
			}
			return Arrays.stream(this.rates, Math.max(0, from), Math.min(to, this.rates.length)).average().orElse(0);
		}

	}

	static List<Curve> run(Report report, boolean quick, PullScenario.Table table) throws Exception {
		int window = quick ? 1 : 5;
		int windows = quick ? 3 : 18;
		List<Curve> curves = new ArrayList<>();
		Topology topology = TestServices.isolatedTopology(8, 20);
		String database = TestServices.newDatabase();
		try (Tier consumer = Tier.start("consumer", Stack.brokerAndDatabase(topology, database))
			.awaitReady(Stack.READY)) {
			double consumerReady = consumer.sinceStart().toMillis() / 1000.0;
			System.out.printf(Locale.ROOT, "warm-up%n  consumer ready %.1f s after its start%n", consumerReady);
			try (Tier publisher = Tier.start("publisher", Stack.broker(topology)).awaitReady(Stack.READY)) {
				double ready = publisher.sinceStart().toMillis() / 1000.0;
				double[] rates = new double[windows];
				for (int i = 0; i < windows; i++) {
					rates[i] = Wrk.sends(publisher.uri("/api/send"), window, "wrk-warm-up-curve-sends");
				}
				curves.add(new Curve("publisher", ready, rates, window, publisher.residentKib() / 1024.0));
			}
			curves.add(new Curve("consumer", consumerReady, new double[0], window, consumer.residentKib() / 1024.0));
		}
		try (Tier query = Tier.start("query-api", TestServices.postgresProperties(table.database()))
			.awaitReady(Stack.READY)) {
			double ready = query.sinceStart().toMillis() / 1000.0;
			double[] rates = new double[windows];
			for (int i = 0; i < windows; i++) {
				rates[i] = Wrk.pulls(query.uri("/"), table, window, "wrk-warm-up-curve-pulls");
			}
			curves.add(new Curve("query-api", ready, rates, window, query.residentKib() / 1024.0));
		}
		Path chart = report.dir().resolve("warmup.png");
		Chart.write(chart, "Requests/s from a cold start (closed loop, 64 connections)", "seconds of load",
				"requests/s",
				curves.stream()
					.filter((curve) -> curve.rates().length > 0)
					.map((curve) -> new Chart.Series(curve.tier(),
							IntStream.rangeClosed(1, curve.rates().length)
								.mapToDouble((i) -> i * curve.windowSeconds())
								.toArray(),
							curve.rates()))
					.toList());
		report.section("warmup", "Warm-up from a cold start", markdown(curves),
				curves.stream().map(WarmUpScenario::json).toList());
		curves.stream()
			.filter((curve) -> curve.rates().length > 0)
			.forEach((curve) -> System.out.printf(Locale.ROOT,
					"  %s: ready %.1f s, first 20 s %.0f/s, warm %.0f/s (%.0f %%), %.0f MiB%n", curve.tier(),
					curve.readySeconds(), curve.first20(), curve.warm(),
					100 * curve.first20() / Math.max(1, curve.warm()), curve.residentMib()));
		return curves;
	}

	private static String markdown(List<Curve> curves) {
		StringBuilder text = new StringBuilder("""
				Each tier started cold as users start it, then loaded at once with closed-loop wrk (64 connections) \
				in windows of 5 s: sends over 200 chats with texts as people write them, or the pull scenario's mix. \
				Chart: `warmup.png`.

				| tier | ready after start | first 20 s | warm (after 60 s) | first 20 s / warm | RSS at the end |
				|---|---:|---:|---:|---:|---:|
				""");
		for (Curve curve : curves) {
			boolean loaded = curve.rates().length > 0;
			text.append(
					String.format(Locale.ROOT, "| %s | %.1f s | %s | %s | %s | %.0f MiB |%n", curve.tier(),
							curve.readySeconds(), loaded ? Report.format(curve.first20()) + "/s" : "",
							loaded ? Report.format(curve.warm()) + "/s" : "", loaded ? String.format(Locale.ROOT,
									"%.0f %%", 100 * curve.first20() / Math.max(1, curve.warm())) : "",
							curve.residentMib()));
		}
		text.append("\nRequests/s in each window:\n\n| tier |");
		int most = curves.stream().mapToInt((curve) -> curve.rates().length).max().orElse(0);
		int window = curves.isEmpty() ? 5 : curves.get(0).windowSeconds();
		for (int i = 1; i <= most; i++) {
			text.append(' ').append(i * window).append(" s |");
		}
		text.append("\n|---|").append("---:|".repeat(most)).append('\n');
		for (Curve curve : curves) {
			if (curve.rates().length > 0) {
				text.append("| ").append(curve.tier()).append(" |");
				Arrays.stream(curve.rates())
					.forEach((rate) -> text.append(' ').append(Report.format(rate)).append(" |"));
				text.append('\n');
			}
		}
		return text.toString();
	}

	private static Map<String, Object> json(Curve curve) {
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("tier", curve.tier());
		row.put("ready_s", curve.readySeconds());
		row.put("window_s", curve.windowSeconds());
		row.put("rps", curve.rates());
		row.put("first_20s_rps", curve.first20());
		row.put("warm_rps", curve.warm());
		row.put("rss_mib", curve.residentMib());
		return row;
	}

}
