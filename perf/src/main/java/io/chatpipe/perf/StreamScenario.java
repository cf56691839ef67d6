package io.chatpipe.perf;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongFunction;

import io.chatpipe.model.ChatId;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;
import org.HdrHistogram.Histogram;

/**
 * Live delivery at scale: one query-API replica holds {@code streams} Server-Sent Event
 * streams (two per chat, its two members) while sends go into their chats at a steady
 * rate; measured are the time from each send's 200 to each of its events, the query API's
 * memory per 1,000 streams and its CPU per delivered event. Then a reconnect storm: every
 * stream drops at once and reconnects within a few seconds (with {@code Last-Event-ID},
 * as a browser does) while the sends go on; measured is the time until every stream is
 * back. The run ends by checking every stream against the database: each has received
 * every message of its chat, in seq order, none twice.
 */
final class StreamScenario {

	/**
	 * Sends a second unless told otherwise: the figure the live-stream targets are for.
	 */
	static final int RATE = 1_000;

	private StreamScenario() {
	}

	/**
	 * What was measured.
	 *
	 * @param streams streams held
	 * @param p50Millis send 200 to event, median
	 * @param p99Millis send 200 to event, 99th percentile
	 * @param storeP50Millis of it, the publisher's accept to the consumer's store, median
	 * @param storeP99Millis the same, 99th percentile
	 * @param kibPer1000 the query API's resident memory per 1,000 streams
	 * @param cpuMicrosPerEvent the query API's CPU per delivered event
	 * @param resumeSeconds from the drop until every stream was back
	 * @param missed messages a stream never received
	 * @param duplicated messages a stream received twice
	 * @param p99ByWindow send 200 to event, 99th percentile in each 10-s window of the
	 * measured minute (by when the event came)
	 * @param storeP99ByWindow the publisher's accept to the consumer's store, 99th
	 * percentile in each 10-s window (by when the publisher accepted)
	 */
	record Result(int streams, double p50Millis, double p99Millis, double storeP50Millis, double storeP99Millis,
			double kibPer1000, double cpuMicrosPerEvent, double resumeSeconds, long missed, long duplicated,
			List<Double> p99ByWindow, List<Double> storeP99ByWindow, StoredToEvent storedToEvent) {
	}

	/**
	 * Runs the scenario: {@code streams} streams (0: 10,000, or 200 when quick),
	 * {@code rate} sends a second (0: 1,000, or 50 when quick), after {@code warmSeconds}
	 * of sends at that rate (0: 10, or 2 when quick). The tiers start cold, so with the
	 * default the measured minute is the tiers' first, while they still compile their hot
	 * paths; a longer warm-up measures them warm.
	 */
	static Result run(Report report, boolean quick, int streamCount, int sendRate, int warmSeconds) throws Exception {
		int streams = (streamCount > 0) ? streamCount : (quick ? 200 : 10_000);
		int rate = (sendRate > 0) ? sendRate : (quick ? 50 : RATE);
		Duration warm = Duration.ofSeconds((warmSeconds > 0) ? warmSeconds : (quick ? 2 : 10));
		Duration measure = Duration.ofSeconds(quick ? 5 : 60);
		Duration storm = Duration.ofSeconds(quick ? 6 : 30);
		long jitterMillis = quick ? 1_000 : 5_000;
		System.out.printf(Locale.ROOT, "live streams: %,d streams, %,d sends/s, measured after %d s of sends%n",
				streams, rate, warm.toSeconds());

		Topology topology = TestServices.isolatedTopology(8, 20);
		String database = TestServices.newDatabase();
		Map<String, Object> tierProperties = Stack.brokerAndDatabase(topology, database);
		Tier consumer = Tier.start("consumer", tierProperties);
		Tier publisher = Tier.start("publisher", Stack.broker(topology));
		Tier queryApi = Tier.start("query-api", tierProperties);
		long totalSends = (long) rate * (warm.toSeconds() + measure.toSeconds() + storm.toSeconds()) + rate;
		AtomicLongArray answeredAt = new AtomicLongArray((int) totalSends);
		try (consumer;
				publisher;
				queryApi;
				LiveStreams live = new LiveStreams(queryApi.uri(""), answeredAt);
				Connection db = Stack.connect(database)) {
			CompletableFuture
				.allOf(CompletableFuture.runAsync(() -> consumer.awaitReady(Stack.READY)),
						CompletableFuture.runAsync(() -> publisher.awaitReady(Stack.READY)),
						CompletableFuture.runAsync(() -> queryApi.awaitReady(Stack.READY)))
				.join();
			Payloads payloads = new Payloads(42);
			List<Payloads.Chat> chats = payloads.chats("live", streams / 2);
			List<String> texts = new ArrayList<>();
			for (int i = 0; i < 5_000; i++) {
				texts.add(capped(payloads.text()));
			}
			URI send = publisher.uri("/api/send");
			Sends sends = new Sends(send, chats, texts, answeredAt);

			long idleKib = queryApi.residentKib();
			long opening = System.nanoTime();
			for (Payloads.Chat chat : chats) {
				live.open(chat.id());
				live.open(chat.second() + ":" + chat.first());
			}
			awaitConnected(live, streams, Duration.ofSeconds(180));
			double openSeconds = (System.nanoTime() - opening) / 1e9;
			long heldKib = queryApi.residentKib();
			double kibPer1000 = (heldKib - idleKib) * 1000.0 / streams;
			System.out.printf(Locale.ROOT, "  %,d streams open in %.1f s; query API RSS %d -> %d MiB%n", streams,
					openSeconds, idleKib / 1024, heldKib / 1024);

			sends.run(rate, warm);
			Thread.sleep(2_000);
			live.resetLatencies();
			long eventsBefore = live.seen().events();
			CpuCost cpu = CpuCost.start(queryApi);
			Instant measureStart = Instant.now();
			OpenModelLoad.Step measured = sends.run(rate, measure);
			Instant measureEnd = Instant.now();
			Thread.sleep(2_000);
			LiveStreams.Seen afterMeasure = live.seen();
			long delivered = afterMeasure.events() - eventsBefore;
			double cpuPerEvent = cpu.microsPerRequest(delivered).getOrDefault(queryApi.name(), Double.NaN);
			Histogram latencies = afterMeasure.latencies();
			double p50 = latencies.getValueAtPercentile(50) / 1000.0;
			double p99 = latencies.getValueAtPercentile(99) / 1000.0;
			System.out.printf(Locale.ROOT,
					"  %,d sends (%,d ok, %,d failed%s) -> %,d events; send 200 to event p50 %.1f ms, p99 %.1f ms; %.0f µs CPU/event%n",
					measured.requests(), measured.ok(), measured.failed(), Report.failures(measured), delivered, p50,
					p99, cpuPerEvent);
			System.out.printf(Locale.ROOT, "  the sends themselves (due to 200): p50 %.1f ms, p99 %.1f ms%n",
					measured.p50Millis(), measured.p99Millis());
			double[] storing = storeLag(db, measureStart, measureEnd);
			System.out.printf(Locale.ROOT,
					"  of which the publisher's accept to the consumer's store (stored_at - accepted_at): p50 %.1f ms, "
							+ "p99 %.1f ms%n",
					storing[0], storing[1]);
			int windows = (int) (measure.toSeconds() / LiveStreams.WINDOW.toSeconds());
			List<Double> p99ByWindow = afterMeasure.windows()
				.stream()
				.limit(windows)
				.map((window) -> window.getValueAtPercentile(99) / 1000.0)
				.toList();
			List<Double> storeP99ByWindow = storeLagByWindow(db, measureStart, windows);
			StoredToEvent storedToEvent = storedToEvent(db, live, measureStart, measureEnd, windows);
			System.out.printf(Locale.ROOT,
					"  and from the consumer's store (stored_at) to the event: p50 %.1f ms, p99 %.1f ms%n",
					storedToEvent.p50Millis(), storedToEvent.p99Millis());
			System.out.printf(Locale.ROOT,
					"  p99 in each %d-s window: send 200 to event %s; accept to store %s; store to event %s%n",
					LiveStreams.WINDOW.toSeconds(), joined(p99ByWindow), joined(storeP99ByWindow),
					joined(storedToEvent.p99ByWindow()));

			CompletableFuture<OpenModelLoad.Step> storming = CompletableFuture
				.supplyAsync(() -> sends.run(rate, storm));
			Thread.sleep(storm.toMillis() / 5);
			long dropped = live.dropAll(jitterMillis);
			awaitConnected(live, streams, Duration.ofSeconds(180));
			double resumeSeconds = (live.seen().lastResumedAt() - dropped) / 1e9;
			OpenModelLoad.Step stormSends = storming.join();
			System.out.printf(Locale.ROOT,
					"  reconnect storm: every stream back %.1f s after the drop (jitter %d ms)%n", resumeSeconds,
					jitterMillis);

			Map<String, Long> stored = storedLastSeqs(db);
			LiveStreams.Seen last = awaitCaughtUp(live, stored, Duration.ofSeconds(60));
			long behind = 0;
			for (int i = 0; i < last.chats().size(); i++) {
				long want = stored.getOrDefault(ChatId.parse(last.chats().get(i)).value(), 0L);
				behind += Math.max(0, want - last.lastSeqs().get(i));
			}
			long missed = last.missed() + behind;
			if (missed != 0 || last.duplicates() != 0) {
				Report.problem("live streams: " + missed + " messages missed and " + last.duplicates() + " duplicated");
			}
			if (measured.ok() == 0 || delivered == 0) {
				Report.problem("live streams: no event was delivered while measuring");
			}
			System.out.printf(Locale.ROOT, "  in all: %,d events, %d missed, %d duplicated, %d early%n", last.events(),
					missed, last.duplicates(), last.early());

			Result result = new Result(streams, p50, p99, storing[0], storing[1], kibPer1000, cpuPerEvent,
					resumeSeconds, missed, last.duplicates(), p99ByWindow, storeP99ByWindow, storedToEvent);
			report.resident(queryApi.name(), queryApi.residentKib(), queryApi.highWaterKib());
			report.section(
					"stream", "Live streams on one query-API replica", markdown(result, rate, warm, measure, measured,
							delivered, openSeconds, idleKib, heldKib, stormSends, jitterMillis, last),
					json(result, rate, warm, measured, delivered, last));
			return result;
		}
	}

	private static String capped(String text) {
		return (text.codePointCount(0, text.length()) > 4_000) ? text.substring(0, text.offsetByCodePoints(0, 4_000))
				: text;
	}

	private static void awaitConnected(LiveStreams live, int streams, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (live.connected() < streams) {
			if (System.nanoTime() > deadline) {
				Report.problem("live streams: only " + live.connected() + " of " + streams + " streams connected");
				return;
			}
			Thread.sleep(100);
		}
	}

	/** Waits until every stream has its chat's last stored message (or the timeout). */
	private static LiveStreams.Seen awaitCaughtUp(LiveStreams live, Map<String, Long> stored, Duration timeout)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			LiveStreams.Seen seen = live.seen();
			boolean caughtUp = true;
			for (int i = 0; i < seen.chats().size() && caughtUp; i++) {
				caughtUp = seen.lastSeqs().get(i) >= stored.getOrDefault(ChatId.parse(seen.chats().get(i)).value(), 0L);
			}
			if (caughtUp || System.nanoTime() > deadline) {
				return seen;
			}
			Thread.sleep(200);
		}
	}

	/**
	 * The part of a message's way that ends in the database: from the publisher accepting
	 * it to the consumer's transaction storing it (its {@code stored_at}), median and
	 * 99th percentile in ms, over the messages accepted in the window. What the streams
	 * add on top of it is the query API's part (and the wake-up bus's).
	 */
	private static double[] storeLag(Connection db, Instant from, Instant to) throws Exception {
		try (PreparedStatement statement = db
			.prepareStatement("SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY lag),"
					+ " percentile_disc(0.99) WITHIN GROUP (ORDER BY lag) FROM (SELECT extract(epoch FROM stored_at - accepted_at)"
					+ " * 1000 AS lag FROM messages WHERE accepted_at BETWEEN ? AND ?) AS lags")) {
			statement.setObject(1, from.atOffset(ZoneOffset.UTC));
			statement.setObject(2, to.atOffset(ZoneOffset.UTC));
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return new double[] { rows.getDouble(1), rows.getDouble(2) };
			}
		}
	}

	/** The accept-to-store p99 in each window from {@code from}, by accept time. */
	private static List<Double> storeLagByWindow(Connection db, Instant from, int windows) throws Exception {
		Double[] p99 = new Double[windows]; // null: nothing accepted in the window
		try (PreparedStatement statement = db.prepareStatement("SELECT window_index,"
				+ " percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - accepted_at) * 1000)"
				+ " FROM (SELECT stored_at, accepted_at, floor(extract(epoch FROM accepted_at - ?) / ?)::int AS window_index"
				+ " FROM messages WHERE accepted_at >= ?) AS windowed WHERE window_index < ? GROUP BY window_index")) {
			statement.setObject(1, from.atOffset(ZoneOffset.UTC));
			statement.setLong(2, LiveStreams.WINDOW.toSeconds());
			statement.setObject(3, from.atOffset(ZoneOffset.UTC));
			statement.setInt(4, windows);
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					p99[rows.getInt(1)] = rows.getDouble(2);
				}
			}
		}
		return Arrays.asList(p99);
	}

	/**
	 * From the consumer's transaction storing a message ({@code stored_at}, when it
	 * began) to the later of its two events coming in: the wake-up bus's part and the
	 * query API's, median and 99th percentile in ms over the messages accepted while
	 * measuring, and the p99 in each window by {@code stored_at}. Both clocks are this
	 * machine's.
	 */
	private static StoredToEvent storedToEvent(Connection db, LiveStreams live, Instant from, Instant to, int windows)
			throws Exception {
		Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
		List<Histogram> byWindow = new ArrayList<>();
		for (int i = 0; i < windows; i++) {
			byWindow.add(new Histogram(TimeUnit.SECONDS.toMicros(120), 3));
		}
		long fromMicros = ChronoUnit.MICROS.between(Instant.EPOCH, from);
		long windowMicros = LiveStreams.WINDOW.toNanos() / 1000;
		try (PreparedStatement statement = db.prepareStatement("SELECT substring(text FROM '^#([0-9]+) ')::int,"
				+ " (extract(epoch FROM stored_at) * 1000000)::bigint FROM messages WHERE accepted_at BETWEEN ? AND ?")) {
			statement.setObject(1, from.atOffset(ZoneOffset.UTC));
			statement.setObject(2, to.atOffset(ZoneOffset.UTC));
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					long eventAt = live.eventAtMicros(rows.getInt(1));
					long storedAt = rows.getLong(2);
					if (eventAt == 0) {
						continue; // no event timed: it came before its send's 200
					}
					long micros = Math.max(0, eventAt - storedAt);
					all.recordValue(micros);
					long window = (storedAt - fromMicros) / windowMicros;
					if (window >= 0 && window < windows) {
						byWindow.get((int) window).recordValue(micros);
					}
				}
			}
		}
		return new StoredToEvent(all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0, byWindow
			.stream()
			.map((histogram) -> (histogram.getTotalCount() > 0) ? histogram.getValueAtPercentile(99) / 1000.0 : null)
			.toList());
	}

	/** The consumer's store to the event: p50, p99, and the p99 in each window. */
	record StoredToEvent(double p50Millis, double p99Millis, List<Double> p99ByWindow) {
	}

	private static String joined(List<Double> millis) {
		if (millis.isEmpty()) {
			return "none (measured for less than a window)";
		}
		return String.join(" / ",
				millis.stream()
					.map((value) -> (value != null) ? String.format(Locale.ROOT, "%.0f", value) : "-")
					.toList())
				+ " ms";
	}

	private static Map<String, Long> storedLastSeqs(Connection db) throws Exception {
		Thread.sleep(3_000); // the consumer stores what the last sends put on the queues
		Map<String, Long> last = new HashMap<>();
		try (Statement statement = db.createStatement();
				ResultSet rows = statement.executeQuery("SELECT chat, max(seq) FROM messages GROUP BY chat")) {
			while (rows.next()) {
				last.put(rows.getString(1), rows.getLong(2));
			}
		}
		return last;
	}

	private static String markdown(Result result, int rate, Duration warm, Duration measure,
			OpenModelLoad.Step measured, long delivered, double openSeconds, long idleKib, long heldKib,
			OpenModelLoad.Step stormSends, long jitterMillis, LiveStreams.Seen last) {
		return String.format(Locale.ROOT,
				"%,d streams (two per chat, %,d chats) on one query-API replica, opened in %.1f s; %,d sends/s into "
						+ "their chats for %d s (%,d sent, %,d answered 200, %,d failed%s), realistic texts, measured after %d s of "
						+ "sends since the tiers' cold start.%n%n" + "| figure | value |%n|---|---:|%n"
						+ "| send 200 → event, p50 | **%.1f ms** |%n" + "| send 200 → event, p99 | **%.1f ms** |%n"
						+ "| the send itself (due → 200), p50 / p99 | %.1f / %.1f ms |%n"
						+ "| of it, publisher accepted → consumer stored (`stored_at - accepted_at`), p50 / p99 | "
						+ "%.1f / %.1f ms |%n" + "| events delivered while measuring | %,d |%n"
						+ "| p99 in each 10-s window of the measured minute: send 200 → event | %s |%n"
						+ "| the same, publisher accepted → consumer stored | %s |%n"
						+ "| consumer stored (`stored_at`) → event (the later of a message's two), p50 / p99 | "
						+ "%.1f / %.1f ms |%n" + "| the same by window (by `stored_at`) | %s |%n"
						+ "| query-API RSS idle → holding the streams | %d → %d MiB |%n"
						+ "| query-API RSS per 1,000 streams | **%.1f MiB** |%n"
						+ "| query-API CPU per delivered event | **%.0f µs** |%n"
						+ "| reconnect storm: every stream back after the drop (jitter up to %d ms, %,d sends meanwhile) | "
						+ "**%.1f s** |%n"
						+ "| messages missed / duplicated, over the whole run (every stream checked against the database) "
						+ "| **%d / %d** |%n",
				result.streams(), result.streams() / 2, openSeconds, rate, measure.toSeconds(), measured.requests(),
				measured.ok(), measured.failed(), Report.failures(measured), warm.toSeconds(), result.p50Millis(),
				result.p99Millis(), measured.p50Millis(), measured.p99Millis(), result.storeP50Millis(),
				result.storeP99Millis(), delivered, joined(result.p99ByWindow()), joined(result.storeP99ByWindow()),
				result.storedToEvent().p50Millis(), result.storedToEvent().p99Millis(),
				joined(result.storedToEvent().p99ByWindow()), idleKib / 1024, heldKib / 1024,
				result.kibPer1000() / 1024, result.cpuMicrosPerEvent(), jitterMillis, stormSends.ok(),
				result.resumeSeconds(), result.missed(), result.duplicated())
				+ String.format(Locale.ROOT,
						"%nIn all %,d events; %,d arrived before their send's 200 was read (they count as 0 ms).%n",
						last.events(), last.early());
	}

	private static Map<String, Object> json(Result result, int rate, Duration warm, OpenModelLoad.Step measured,
			long delivered, LiveStreams.Seen last) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("streams", result.streams());
		json.put("sends_per_s", rate);
		json.put("warm_s", warm.toSeconds());
		json.put("sends_ok", measured.ok());
		json.put("sends_failed", measured.failures().json());
		json.put("events_delivered", delivered);
		json.put("send_to_event_p50_ms", result.p50Millis());
		json.put("send_to_event_p99_ms", result.p99Millis());
		json.put("send_due_to_200_p50_ms", measured.p50Millis());
		json.put("send_due_to_200_p99_ms", measured.p99Millis());
		json.put("accepted_to_stored_p50_ms", result.storeP50Millis());
		json.put("accepted_to_stored_p99_ms", result.storeP99Millis());
		json.put("send_to_event_p99_ms_by_10s_window", result.p99ByWindow());
		json.put("accepted_to_stored_p99_ms_by_10s_window", result.storeP99ByWindow());
		json.put("stored_to_event_p50_ms", result.storedToEvent().p50Millis());
		json.put("stored_to_event_p99_ms", result.storedToEvent().p99Millis());
		json.put("stored_to_event_p99_ms_by_10s_window", result.storedToEvent().p99ByWindow());
		json.put("rss_kib_per_1000_streams", result.kibPer1000());
		json.put("cpu_us_per_event", result.cpuMicrosPerEvent());
		json.put("reconnect_storm_resume_s", result.resumeSeconds());
		json.put("missed", result.missed());
		json.put("duplicated", result.duplicated());
		json.put("events_total", last.events());
		return json;
	}

	/**
	 * The sends: request {@code n} of the whole run goes to chat {@code n} (modulo), from
	 * either member, with {@code #n } before a realistic text so that the streams can
	 * tell which send an event is.
	 */
	private static final class Sends {

		private final URI uri;

		private final List<Payloads.Chat> chats;

		private final List<String> texts;

		private final AtomicLongArray answeredAt;

		private long next;

		Sends(URI uri, List<Payloads.Chat> chats, List<String> texts, AtomicLongArray answeredAt) {
			this.uri = uri;
			this.chats = chats;
			this.texts = texts;
			this.answeredAt = answeredAt;
		}

		OpenModelLoad.Step run(int rate, Duration duration) {
			long base;
			synchronized (this) {
				base = this.next;
				this.next += (long) rate * duration.toSeconds();
			}
			LongFunction<OpenModelLoad.Request> requests = (i) -> {
				long n = base + i;
				Payloads.Chat chat = this.chats.get((int) (n % this.chats.size()));
				String sender = ((n / this.chats.size()) % 2 == 0) ? chat.first() : chat.second();
				String text = "#" + n + " " + this.texts.get((int) (n % this.texts.size()));
				return OpenModelLoad.Request.post(this.uri,
						"{\"chat\":\"" + chat.id() + "\",\"sender\":\"" + sender + "\",\"text\":\"" + text + "\"}");
			};
			return new OpenModelLoad().run(rate, duration, requests, (i, at) -> {
				if (base + i < this.answeredAt.length()) {
					this.answeredAt.set((int) (base + i), at);
				}
			});
		}

	}

}
