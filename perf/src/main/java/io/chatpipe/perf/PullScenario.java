package io.chatpipe.perf;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;

/**
 * Pull-only at rising rates on a table of millions of messages: half the pages from a few
 * hot chats of {@code hotLength} messages, half from many cold chats of
 * {@code coldLength}, each half both directions, at random positions. The table is seeded
 * once (SQL {@code generate_series}) into a database of its own and kept for later runs.
 */
final class PullScenario {

	static final double MAX_ERROR_RATE = 0.001;

	static final double MAX_P99_MILLIS = 10;

	private PullScenario() {
	}

	/**
	 * The seeded table.
	 *
	 * @param database its database
	 * @param hotChats how many hot chats
	 * @param hotLength messages in each
	 * @param coldChats how many cold chats
	 * @param coldLength messages in each
	 */
	record Table(String database, int hotChats, int hotLength, int coldChats, int coldLength) {

		long messages() {
			return (long) this.hotChats * this.hotLength + (long) this.coldChats * this.coldLength;
		}

		/**
		 * The other member of every seeded chat, and the sender of every other message.
		 */
		static final String PEER = "zpeer_1987";

		static Table of(boolean quick) {
			// v2: texts as people write them (Payloads); a table seeded before keeps its
			// own name.
			return quick ? new Table("chatpipe_perf_pull_quick_v2", 4, 2_500, 1_000, 10)
					: new Table("chatpipe_perf_pull_v2", 10, 250_000, 250_000, 10);
		}

		/**
		 * The {@code n}-th chat of a kind ({@code hot} or {@code cold}), in canonical
		 * form.
		 */
		static String chat(String kind, int n) {
			return kind + n + ".anna:" + PEER;
		}

	}

	/**
	 * What the scenario found.
	 *
	 * @param knee the highest rate that met the bar, or 0
	 * @param wrkRate the query API's closed-loop requests/s under wrk, or 0
	 */
	record Result(int knee, double wrkRate) {
	}

	static void seed(Table table) throws Exception {
		Stack.ensureDatabase(table.database());
		try (Connection db = Stack.connect(table.database())) {
			if (Stack.count(db,
					"SELECT count(*) FROM chats WHERE chat LIKE 'hot%' OR chat LIKE 'cold%'") == (long) table.hotChats()
							+ table.coldChats()) {
				System.out.printf("pull table: %,d messages already seeded in %s%n", table.messages(),
						table.database());
				return;
			}
			long start = System.nanoTime();
			System.out.printf("pull table: seeding %,d messages into %s ...%n", table.messages(), table.database());
			try (Statement statement = db.createStatement()) {
				statement.execute("TRUNCATE messages, chats");
				seedChats(statement, "hot", table.hotChats(), table.hotLength());
				seedChats(statement, "cold", table.coldChats(), table.coldLength());
				statement
					.execute("INSERT INTO chats (chat, last_seq) SELECT chat, max(seq) FROM messages GROUP BY chat");
				statement.execute("VACUUM ANALYZE messages");
				statement.execute("VACUUM ANALYZE chats");
			}
			System.out.printf("  seeded in %.0f s%n", (System.nanoTime() - start) / 1e9);
		}
	}

	/**
	 * Inserts {@code chats} chats ({@link Table#chat}) of {@code length} messages, their
	 * two members taking turns, with texts as people write them: a length drawn from the
	 * log-normal distribution of {@link Payloads} (Box-Muller), a quarter in Cyrillic.
	 */
	private static void seedChats(Statement statement, String kind, int chats, int length) throws SQLException {
		String chat = Table.chat(kind, 0);
		String first = chat.substring(kind.length() + 1, chat.indexOf(':'));
		statement.execute(
				"""
						WITH words AS (SELECT repeat('ok see you soon thanks where are you on my way call me later ', 70) AS latin,
						                      repeat('привет да нет спасибо скоро буду где ты позвони мне позже ', 75) AS cyrillic)
						INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)
						SELECT '%1$s' || c || '%2$s' || ':%3$s', s, gen_random_uuid(),
						       CASE WHEN s %% 2 = 0 THEN '%3$s' ELSE '%1$s' || c || '%2$s' END,
						       left(CASE WHEN random() < 0.25 THEN cyrillic ELSE latin END,
						            greatest(1, least(%4$d, round(exp(%5$s + %6$s
						                * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))::int))),
						       1790000000 + s, now()
						FROM words, generate_series(0, %7$d) c, generate_series(1, %8$d) s"""
					.formatted(kind, first, Table.PEER, Payloads.MAX_LENGTH, Payloads.LENGTH_MU, Payloads.LENGTH_SIGMA,
							chats - 1, length));
	}

	static Result run(Report report, boolean quick, Table table) throws Exception {
		List<Integer> rates = quick ? List.of(100, 200) : List.of(2500, 4000, 5000, 7500, 10000, 12500);
		Duration stepLength = quick ? Duration.ofSeconds(2) : Duration.ofSeconds(10);
		List<OpenModelLoad.Step> steps = new ArrayList<>();
		int knee = 0;
		double wrkRate;
		Map<String, Double> wrkCost;
		try (Tier query = Tier.start("query-api", TestServices.postgresProperties(table.database()))
			.awaitReady(Stack.READY)) {
			OpenModelLoad load = new OpenModelLoad();
			if (!quick) {
				Wrk.warmUpPulls(query.uri("/"), table, 120);
				load.run(2000, Duration.ofSeconds(10), (i) -> pull(query, table, i));
			}
			System.out.printf("pull-only%n%8s %9s %8s %8s %8s %8s%n", "rate/s", "offered", "failed", "p50 ms", "p99 ms",
					"max ms");
			for (int rate : rates) {
				OpenModelLoad.Step step = load.run(rate, stepLength, (i) -> pull(query, table, i));
				Stack.sample(report, query);
				Report.check("pull", step, quick);
				steps.add(step);
				System.out.printf(Locale.ROOT, "%8d %9.0f %8d %8.1f %8.1f %8.1f%n", rate, step.offeredRate(),
						step.failed(), step.p50Millis(), step.p99Millis(), step.maxMillis());
				if (step.errorRate() <= MAX_ERROR_RATE && step.p99Millis() <= MAX_P99_MILLIS) {
					knee = rate;
				}
				else if (!quick && step.errorRate() > OpenModelLoad.OVERLOADED) {
					break; // overloaded: higher rates only fail more
				}
			}
			int wrkSeconds = quick ? 2 : 10;
			CpuCost cost = CpuCost.start(query);
			wrkRate = Wrk.pulls(query.uri("/"), table, wrkSeconds);
			wrkCost = cost.microsPerRequest(wrkRate * wrkSeconds);
			Stack.sample(report, query);
		}
		report.chart(SendScenario.series("pull p99", steps));
		String body = String.format(Locale.ROOT,
				"%,d messages: %d hot chats of %,d and %,d cold chats of %,d. Pages of 10; half hot, half cold; half "
						+ "ascending from a random cursor, half newest-first; one page in five of 50. The bar: errors <= 0.1 %%, p99 <= 10 ms. "
						+ "**Knee: %s**.%n%n",
				table.messages(), table.hotChats(), table.hotLength(), table.coldChats(), table.coldLength(),
				(knee > 0) ? knee + "/s" : "none")
				+ Report.stepTable(steps)
				+ String.format(Locale.ROOT,
						"%nwrk (closed loop, 64 connections, the same mix of pulls) against the query API: %s pages/s.%n",
						(wrkRate > 0) ? Report.format(wrkRate) : "not measured (wrk not installed)")
				+ CpuCost.markdown("pull", wrkCost);
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("messages", table.messages());
		data.put("knee", knee);
		data.put("wrk_query_api_rps", wrkRate);
		data.put("wrk_cpu_us_per_pull", wrkCost);
		data.put("steps", steps.stream().map(SendScenario::stepRow).toList());
		report.section("pull", "Pull-only on the seeded table", body, data);
		return new Result(knee, wrkRate);
	}

	static OpenModelLoad.Request pull(Tier query, Table table, long i) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		boolean hot = (i & 1) == 0;
		boolean reverse = (i & 2) == 0;
		String chat = hot ? Table.chat("hot", random.nextInt(table.hotChats()))
				: Table.chat("cold", random.nextInt(table.coldChats()));
		int length = hot ? table.hotLength() : table.coldLength();
		long cursor = reverse && random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(length);
		int limit = (i % 5 == 4) ? 50 : 10;
		URI uri = query
			.uri("/api/pull?chat=" + chat + "&limit=" + limit + "&cursor=" + cursor + (reverse ? "&reverse=true" : ""));
		return OpenModelLoad.Request.get(uri);
	}

}
