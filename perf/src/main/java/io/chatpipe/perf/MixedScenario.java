package io.chatpipe.perf;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;

/**
 * 80 % pulls and 20 % sends at once, at rising total rates, all three tiers on the seeded
 * pull table: each kind keeps its own bar (pull p99 <= 10 ms, send p99 <= 25 ms).
 */
final class MixedScenario {

	private MixedScenario() {
	}

	static int run(Report report, boolean quick, PullScenario.Table table) throws Exception {
		List<Integer> rates = quick ? List.of(200) : List.of(2500, 5000, 7500, 10000);
		Duration stepLength = quick ? Duration.ofSeconds(2) : Duration.ofSeconds(10);
		Topology topology = TestServices.isolatedTopology(8, 20);
		StringBuilder body = new StringBuilder(
				"| total/s | pulls/s | pull failed | pull p99 ms | sends/s | send failed | send p99 ms |\n"
						+ "|---:|---:|---:|---:|---:|---:|---:|\n");
		List<Map<String, Object>> rows = new ArrayList<>();
		int knee = 0;
		try (Tier consumer = Tier.start("consumer", Stack.brokerAndDatabase(topology, table.database()))
			.awaitReady(Stack.READY);
				Tier publisher = Tier.start("publisher", Stack.broker(topology)).awaitReady(Stack.READY);
				Tier query = Tier.start("query-api", TestServices.postgresProperties(table.database()))
					.awaitReady(Stack.READY)) {
			OpenModelLoad pulls = new OpenModelLoad();
			OpenModelLoad sends = new OpenModelLoad();
			if (!quick) {
				Wrk.warmUpPulls(query.uri("/"), table, 60);
				Wrk.warmUpPosts(publisher.uri("/api/send"), 30);
			}
			int warmRate = quick ? 100 : 2000;
			Duration warmUp = Duration.ofSeconds(quick ? 2 : 8);
			CompletableFuture<OpenModelLoad.Step> warmPulls = CompletableFuture
				.supplyAsync(() -> pulls.run(warmRate * 4 / 5, warmUp, (i) -> PullScenario.pull(query, table, i)));
			sends.run(warmRate / 5, warmUp, Stack.sends(publisher.uri("/api/send"), "mixwarm"));
			warmPulls.join();
			if (!quick) {
				try (Connection db = Stack.connect(table.database())) {
					Stack.settle(db);
				}
			}
			System.out.printf("mixed 80/20%n%8s %9s %9s %9s %9s%n", "total/s", "pull p99", "pull err", "send p99",
					"send err");
			for (int rate : rates) {
				int pullRate = rate * 4 / 5;
				int sendRate = rate - pullRate;
				String prefix = "mix" + rate + "x";
				CompletableFuture<OpenModelLoad.Step> pulling = CompletableFuture
					.supplyAsync(() -> pulls.run(pullRate, stepLength, (i) -> PullScenario.pull(query, table, i)));
				OpenModelLoad.Step sent = sends.run(sendRate, stepLength,
						Stack.sends(publisher.uri("/api/send"), prefix));
				OpenModelLoad.Step pulled = pulling.join();
				Stack.sample(report, consumer, publisher, query);
				Report.check("mixed pulls", pulled, quick);
				Report.check("mixed sends", sent, quick);
				System.out.printf(Locale.ROOT, "%8d %9.1f %9d %9.1f %9d%n", rate, pulled.p99Millis(), pulled.failed(),
						sent.p99Millis(), sent.failed());
				body.append(String.format(Locale.ROOT, "| %d | %.0f | %d | %.1f | %.0f | %d | %.1f |%n", rate,
						pulled.offeredRate(), pulled.failed(), pulled.p99Millis(), sent.offeredRate(), sent.failed(),
						sent.p99Millis()));
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("rate", rate);
				row.put("pull", SendScenario.stepRow(pulled));
				row.put("send", SendScenario.stepRow(sent));
				rows.add(row);
				boolean met = pulled.errorRate() <= PullScenario.MAX_ERROR_RATE
						&& pulled.p99Millis() <= PullScenario.MAX_P99_MILLIS
						&& sent.errorRate() <= SendScenario.MAX_ERROR_RATE
						&& sent.p99Millis() <= SendScenario.MAX_P99_MILLIS;
				if (met) {
					knee = rate;
				}
				else if (!quick && (pulled.errorRate() > OpenModelLoad.OVERLOADED
						|| sent.errorRate() > OpenModelLoad.OVERLOADED)) {
					break; // overloaded: higher rates only fail more
				}
			}
		}
		body.insert(0, "All three tiers; each kind keeps its own bar. **Highest total rate that met both: "
				+ ((knee > 0) ? knee + "/s" : "none") + "**.\n\n");
		report.section("mixed", "Mixed: 80 % pulls, 20 % sends", body.toString(), Map.of("knee", knee, "steps", rows));
		return knee;
	}

}
