package io.chatpipe.perf;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sends at a fixed arrival rate for a fixed time, whatever the answers take: request i is
 * due at {@code start + i/rate} and its latency is measured from that moment, not from
 * when it was sent, so a slow server cannot make the generator send less and hide its own
 * slowness (no coordinated omission).
 */
final class OpenModelLoad {

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private final URI sendUri;

	OpenModelLoad(URI sendUri) {
		this.sendUri = sendUri;
	}

	/**
	 * Runs one step at {@code rate} requests a second for {@code duration}, over
	 * {@code chats} chats whose names start with {@code chatPrefix}, and waits for every
	 * answer (up to 10 s after the last was due).
	 */
	Step run(int rate, Duration duration, String chatPrefix, int chats) {
		Recorder latencies = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
		AtomicLong ok = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		ConcurrentLinkedQueue<CompletableFuture<?>> pending = new ConcurrentLinkedQueue<>();
		long total = rate * duration.toSeconds();
		long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
		long start = System.nanoTime();
		for (long i = 0; i < total; i++) {
			long due = start + i * intervalNanos;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			String chat = chatPrefix + (i % chats) + ":peer";
			String body = "{\"chat\":\"" + chat + "\",\"sender\":\"peer\",\"text\":\"message " + i
					+ " of a benchmark run, " + "about as long as a short chat line\"}";
			HttpRequest request = HttpRequest.newBuilder(this.sendUri)
				.timeout(Duration.ofSeconds(10))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build();
			pending.add(this.http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
				.whenComplete((response, error) -> {
					latencies.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
					if (error == null && response.statusCode() == 200) {
						ok.incrementAndGet();
					}
					else {
						failed.incrementAndGet();
					}
				}));
		}
		long sent = System.nanoTime() - start;
		CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
			.completeOnTimeout(null, 10, TimeUnit.SECONDS)
			.exceptionally((error) -> null)
			.join();
		Histogram histogram = latencies.getIntervalHistogram();
		return new Step(rate, total, ok.get(), failed.get(), total * 1e9 / sent,
				histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
				histogram.getMaxValue() / 1000.0);
	}

	/**
	 * What one rate step measured.
	 *
	 * @param rate the arrival rate asked for, per second
	 * @param requests requests due in the step
	 * @param ok answered 200
	 * @param failed answered otherwise, or not within 10 s
	 * @param offeredRate the rate the generator really sent at (it shares the machine)
	 * @param p50Millis median latency from intended start to answer
	 * @param p99Millis 99th percentile
	 * @param maxMillis slowest
	 */
	record Step(int rate, long requests, long ok, long failed, double offeredRate, double p50Millis, double p99Millis,
			double maxMillis) {

		double errorRate() {
			return (this.requests == 0) ? 0 : (double) this.failed / this.requests;
		}

	}

}
