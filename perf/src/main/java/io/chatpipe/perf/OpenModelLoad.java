package io.chatpipe.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

import org.HdrHistogram.Histogram;

/**
 * Sends requests at a fixed arrival rate for a fixed time, whatever the answers take:
 * request i is due at {@code start + i/rate} and its latency is measured from that
 * moment, not from when it was sent, so a slow server cannot make the generator send less
 * and hide its own slowness (no coordinated omission).
 * <p>
 * The generator shares two cores with everything it measures, so it is as lean as wrk:
 * one thread, plain NIO, up to {@link #CONNECTIONS} keep-alive HTTP/1.1 connections
 * ({@link HttpConnection}), each request's bytes written whole and only the status line
 * and the framing of each answer read. Reactor Netty's client cost the box about as much
 * CPU per request as the tier it measured. A request due while every connection is busy
 * waits for one, and that wait counts in its latency. At most {@link #MAX_OUTSTANDING}
 * requests are outstanding at once; a request due while that many are is not sent and
 * counts as failed, and so does one answered more than 10 s after it was due.
 */
final class OpenModelLoad {

	static final int CONNECTIONS = 256;

	static final int MAX_OUTSTANDING = 4096;

	/** Past this error rate a rate step search stops: higher rates only fail more. */
	static final double OVERLOADED = 0.05;

	private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

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

		byte[] bytes() {
			String target = this.uri.getRawPath()
					+ ((this.uri.getRawQuery() != null) ? "?" + this.uri.getRawQuery() : "");
			String host = "Host: " + this.uri.getHost() + ":" + this.uri.getPort() + "\r\n";
			if (this.json == null) {
				return ("GET " + target + " HTTP/1.1\r\n" + host + "\r\n").getBytes(StandardCharsets.UTF_8);
			}
			byte[] body = this.json.getBytes(StandardCharsets.UTF_8);
			byte[] head = ("POST " + target + " HTTP/1.1\r\n" + host + "Content-Type: application/json\r\n"
					+ "Content-Length: " + body.length + "\r\n\r\n")
				.getBytes(StandardCharsets.UTF_8);
			byte[] whole = new byte[head.length + body.length];
			System.arraycopy(head, 0, whole, 0, head.length);
			System.arraycopy(body, 0, whole, head.length, body.length);
			return whole;
		}

	}

	/**
	 * Runs one step at {@code rate} requests a second for {@code duration}; request
	 * {@code i} is {@code requests.apply(i)}, and every request of a step goes to the
	 * same host and port. Waits for every answer (up to 10 s after the last was due);
	 * only a 200 counts as ok.
	 */
	Step run(int rate, Duration duration, LongFunction<Request> requests) {
		return run(rate, duration, requests, (index, at) -> {
		});
	}

	/**
	 * As {@link #run(int, Duration, LongFunction)}, and tells {@code answered} of each
	 * 200: the request's number and when its answer was in (System.nanoTime).
	 */
	Step run(int rate, Duration duration, LongFunction<Request> requests, Answered answered) {
		try (Run run = new Run(requests, answered)) {
			return run.go(rate, duration);
		}
		catch (IOException ex) {
			throw new IllegalStateException("the load generator failed: " + ex, ex);
		}
	}

	/** Told of each 200, on the generator's thread. */
	interface Answered {

		void ok(long index, long atNanos);

	}

	/** One step's state, all of it touched by the one thread that runs it. */
	private static final class Run implements AutoCloseable, HttpConnection.Listener {

		private final LongFunction<Request> requests;

		private final Answered answers;

		private final Selector selector = Selector.open();

		private final Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);

		private final ArrayDeque<HttpConnection> idle = new ArrayDeque<>();

		private final ArrayDeque<HttpConnection.Exchange> waiting = new ArrayDeque<>();

		private final List<HttpConnection> connections = new ArrayList<>();

		private InetSocketAddress address;

		private String host;

		private long ok;

		private long failed;

		private long notSent;

		private long late;

		private long broken;

		private final Map<Integer, Long> statuses = new TreeMap<>();

		private long outstanding;

		Run(LongFunction<Request> requests, Answered answers) throws IOException {
			this.requests = requests;
			this.answers = answers;
		}

		Step go(int rate, Duration duration) throws IOException {
			long total = Math.max(1, rate * duration.toMillis() / 1000);
			long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
			long start = System.nanoTime();
			long i = 0;
			long lastDue = start + (total - 1) * intervalNanos;
			long sent = 0;
			while (this.ok + this.failed < total) {
				long now = System.nanoTime();
				for (; i < total && start + i * intervalNanos <= now; i++) {
					due(start + i * intervalNanos, i, this.requests.apply(i));
				}
				if (i == total && sent == 0) {
					sent = System.nanoTime() - start;
				}
				if (i == total && now - lastDue > TIMEOUT_NANOS) {
					break;
				}
				long wait = (i < total) ? start + i * intervalNanos - now : TimeUnit.MILLISECONDS.toNanos(100);
				if (wait >= TimeUnit.MILLISECONDS.toNanos(1)) {
					this.selector.select(TimeUnit.NANOSECONDS.toMillis(wait));
				}
				else {
					// select() waits in whole milliseconds: park the rest, so that no
					// request is sent late, then read what arrived meanwhile.
					if (wait > 0) {
						LockSupport.parkNanos(wait);
					}
					this.selector.selectNow();
				}
				for (SelectionKey key : this.selector.selectedKeys()) {
					((HttpConnection) key.attachment()).ready(key);
				}
				this.selector.selectedKeys().clear();
			}
			// Requests still unanswered 10 s after the last was due count as failed.
			Failures failures = new Failures(this.notSent, this.statuses, this.late, this.broken,
					total - this.ok - this.failed);
			return new Step(rate, total, this.ok, failures, total * 1e9 / Math.max(sent, 1),
					this.latencies.getValueAtPercentile(50) / 1000.0, this.latencies.getValueAtPercentile(99) / 1000.0,
					this.latencies.getMaxValue() / 1000.0);
		}

		private void due(long due, long index, Request request) throws IOException {
			if (this.outstanding >= MAX_OUTSTANDING) {
				this.notSent++;
				this.failed++;
				return;
			}
			URI uri = request.uri();
			if (this.address == null) {
				this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
				this.host = uri.getHost();
			}
			else if (uri.getPort() != this.address.getPort() || !uri.getHost().equals(this.host)) {
				throw new IllegalArgumentException("one step sends to one address: " + this.address + ", not " + uri);
			}
			this.outstanding++;
			HttpConnection.Exchange exchange = new HttpConnection.Exchange(due, index, request.bytes());
			HttpConnection connection = this.idle.poll();
			if (connection == null && this.connections.size() < CONNECTIONS) {
				connection = new HttpConnection(this.selector, this.address, this);
				this.connections.add(connection);
			}
			if (connection != null) {
				connection.send(exchange);
			}
			else {
				this.waiting.add(exchange);
			}
		}

		@Override
		public void answered(HttpConnection connection, HttpConnection.Exchange exchange, int status) {
			long latency = System.nanoTime() - exchange.due();
			this.outstanding--;
			if (status != 200) {
				this.statuses.merge(status, 1L, Long::sum);
				this.failed++;
			}
			else if (latency > TIMEOUT_NANOS) {
				this.late++;
				this.failed++;
			}
			else {
				this.ok++;
				this.answers.ok(exchange.index(), System.nanoTime());
			}
			this.latencies.recordValue(Math.max(0, latency / 1000));
			if (connection.open()) {
				next(connection);
			}
		}

		@Override
		public void broke(HttpConnection connection, HttpConnection.Exchange exchange) {
			if (exchange != null) {
				this.outstanding--;
				this.broken++;
				this.failed++;
				this.latencies.recordValue(Math.max(0, (System.nanoTime() - exchange.due()) / 1000));
			}
			this.connections.remove(connection);
			this.idle.remove(connection);
			if (!this.waiting.isEmpty()) {
				try {
					HttpConnection fresh = new HttpConnection(this.selector, this.address, this);
					this.connections.add(fresh);
					next(fresh);
				}
				catch (IOException ex) {
					// Counted as failed when the step ends unanswered.
				}
			}
		}

		private void next(HttpConnection connection) {
			HttpConnection.Exchange next = this.waiting.poll();
			if (next != null) {
				connection.send(next);
			}
			else {
				this.idle.add(connection);
			}
		}

		@Override
		public void close() throws IOException {
			for (HttpConnection connection : this.connections) {
				connection.close();
			}
			this.selector.close();
		}

	}

	/**
	 * What one rate step measured.
	 *
	 * @param rate the arrival rate asked for, per second
	 * @param requests requests due in the step
	 * @param ok answered 200
	 * @param failures the rest: answered otherwise, not within 10 s, or not sent
	 * @param offeredRate the rate the generator really sent at (it shares the machine)
	 * @param p50Millis median latency from intended start to answer
	 * @param p99Millis 99th percentile
	 * @param maxMillis slowest
	 */
	record Step(int rate, long requests, long ok, Failures failures, double offeredRate, double p50Millis,
			double p99Millis, double maxMillis) {

		long failed() {
			return this.failures.total();
		}

		double errorRate() {
			return (this.requests == 0) ? 0 : (double) failed() / this.requests;
		}

	}

	/**
	 * Why requests failed, so that a report tells the server's refusals from the
	 * generator's own limits.
	 *
	 * @param notSent due while {@link #MAX_OUTSTANDING} requests were outstanding: never
	 * sent (the generator's limit, not the server's answer)
	 * @param statuses answers other than 200, by status
	 * @param late 200s that came more than 10 s after they were due
	 * @param broken in flight on a connection that broke
	 * @param unanswered still unanswered 10 s after the step's last request was due
	 */
	record Failures(long notSent, Map<Integer, Long> statuses, long late, long broken, long unanswered) {

		Failures {
			statuses = Map.copyOf(statuses);
		}

		long total() {
			return this.notSent + this.statuses.values().stream().mapToLong(Long::longValue).sum() + this.late
					+ this.broken + this.unanswered;
		}

		/**
		 * For example
		 * {@code "503: 12, unanswered: 40, not sent at 4096 outstanding: 3,200"}; empty
		 * if none failed.
		 */
		String describe() {
			List<String> parts = new ArrayList<>();
			new TreeMap<>(this.statuses).forEach((status, count) -> parts.add(status + ": " + thousands(count)));
			add(parts, "200 after 10 s", this.late);
			add(parts, "connection broke", this.broken);
			add(parts, "unanswered", this.unanswered);
			add(parts, "not sent at " + MAX_OUTSTANDING + " outstanding", this.notSent);
			return String.join(", ", parts);
		}

		Map<String, Object> json() {
			Map<String, Object> json = new TreeMap<>();
			new TreeMap<>(this.statuses).forEach((status, count) -> json.put("status_" + status, count));
			json.put("late", this.late);
			json.put("connection_broke", this.broken);
			json.put("unanswered", this.unanswered);
			json.put("not_sent", this.notSent);
			return json;
		}

		private static void add(List<String> parts, String what, long count) {
			if (count > 0) {
				parts.add(what + ": " + thousands(count));
			}
		}

		private static String thousands(long count) {
			return String.format(Locale.ROOT, "%,d", count);
		}

	}

}
