package io.chatpipe.perf;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Sends requests at a fixed arrival rate for a fixed time, whatever the answers take:
 * request i is due at {@code start + i/rate} and its latency is measured from that
 * moment, not from when it was sent, so a slow server cannot make the generator send less
 * and hide its own slowness (no coordinated omission).
 * <p>
 * The client is Reactor Netty's on one event-loop thread with a pool of
 * {@link #CONNECTIONS} keep-alive connections: the generator shares two cores with
 * everything it measures, and the JDK's HttpClient took half a core at 1,000 requests/s.
 * A request due while every connection is busy waits for one, and that wait counts in its
 * latency. At most {@link #MAX_OUTSTANDING} requests are outstanding at once; a request
 * due while that many are is not sent and counts as failed.
 */
final class OpenModelLoad {

	static final int CONNECTIONS = 256;

	static final int MAX_OUTSTANDING = 4096;

	/** Past this error rate a rate step search stops: higher rates only fail more. */
	static final double OVERLOADED = 0.05;

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final HttpClient http = HttpClient
		.create(ConnectionProvider.builder("open-model")
			.maxConnections(CONNECTIONS)
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(TIMEOUT)
			.build())
		.runOn(LoopResources.create("open-model", 1, true))
		.responseTimeout(TIMEOUT);

	/**
	 * One request.
	 *
	 * @param uri where
	 * @param json the JSON body to POST, or null for a GET
	 */
	record Request(URI uri, String json) {

		static Request get(URI uri) {
			return new Request(uri, null);
		}

		static Request post(URI uri, String json) {
			return new Request(uri, json);
		}

	}

	/**
	 * Runs one step at {@code rate} requests a second for {@code duration}; request
	 * {@code i} is {@code requests.apply(i)}. Waits for every answer (up to 10 s after
	 * the last was due); only a 200 counts as ok.
	 */
	Step run(int rate, Duration duration, LongFunction<Request> requests) {
		Recorder latencies = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
		AtomicLong ok = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
		long total = Math.max(1, rate * duration.toMillis() / 1000);
		CountDownLatch answered = new CountDownLatch((int) total);
		long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
		long start = System.nanoTime();
		for (long i = 0; i < total; i++) {
			long due = start + i * intervalNanos;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			if (!outstanding.tryAcquire()) {
				failed.incrementAndGet();
				answered.countDown();
				continue;
			}
			send(requests.apply(i)).subscribe((status) -> {
				if (status == 200) {
					ok.incrementAndGet();
				}
				else {
					failed.incrementAndGet();
				}
			}, (error) -> {
				failed.incrementAndGet();
				done(latencies, due, outstanding, answered);
			}, () -> done(latencies, due, outstanding, answered));
		}
		long sent = System.nanoTime() - start;
		try {
			answered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		// Requests still unanswered 10 s after the last was due count as failed.
		long unanswered = total - ok.get() - failed.get();
		Histogram histogram = latencies.getIntervalHistogram();
		return new Step(rate, total, ok.get(), failed.get() + unanswered, total * 1e9 / sent,
				histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
				histogram.getMaxValue() / 1000.0);
	}

	private static void done(Recorder latencies, long due, Semaphore outstanding, CountDownLatch answered) {
		latencies.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
		outstanding.release();
		answered.countDown();
	}

	private Mono<Integer> send(Request request) {
		if (request.json() == null) {
			return this.http.get()
				.uri(request.uri())
				.responseSingle((response, body) -> body.then(Mono.just(response.status().code())));
		}
		return this.http.headers((headers) -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
			.post()
			.uri(request.uri())
			.send(ByteBufFlux.fromString(Mono.just(request.json())))
			.responseSingle((response, body) -> body.then(Mono.just(response.status().code())));
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
