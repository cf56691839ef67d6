package io.chatpipe.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A steady stream of sends through a fault, as careful clients make them: several
 * senders, each over many chats, each waiting for its answer and retrying with the same
 * {@code Idempotency-Key} until it gets a 200. Records every attempt (status, or -1 for
 * no HTTP answer at all) and every accepted message.
 */
final class LoadGenerator implements AutoCloseable {

	private static final Pattern MESSAGE_ID = Pattern.compile("\"message_id\":\"([0-9a-f-]{36})\"");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final Supplier<URI> sendUri;

	private final String run;

	private final int chatsPerSender;

	private final Duration pause;

	private final List<Thread> senders = new ArrayList<>();

	private volatile boolean running = true;

	final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();

	final Queue<Accepted> accepted = new ConcurrentLinkedQueue<>();

	/**
	 * @param sendUri where {@code POST /api/send} is now
	 * @param run a tag that makes this run's member names unique
	 * @param senders how many senders
	 * @param chatsPerSender how many chats each sender writes to, in turn
	 * @param pause each sender's pause after each accepted message (pacing, so the 2-core
	 * box is not saturated)
	 */
	LoadGenerator(Supplier<URI> sendUri, String run, int senders, int chatsPerSender, Duration pause) {
		this.sendUri = sendUri;
		this.run = run;
		this.chatsPerSender = chatsPerSender;
		this.pause = pause;
		for (int s = 0; s < senders; s++) {
			int sender = s;
			this.senders.add(Thread.ofVirtual().name("sender-" + s).start(() -> send(sender)));
		}
	}

	private void send(int sender) {
		String name = "s" + sender + "x" + this.run;
		for (long k = 0; this.running; k++) {
			String chat = name + ":peer" + (k % this.chatsPerSender);
			String body = "{\"chat\":\"" + chat + "\",\"sender\":\"" + name + "\",\"text\":\"m" + k + "\"}";
			String key = name + "-" + k;
			long backoffMillis = 20;
			while (this.running) {
				long start = System.nanoTime();
				int status;
				String answer = "";
				try {
					HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(this.sendUri.get())
						.timeout(Duration.ofSeconds(15))
						.header("Content-Type", "application/json")
						.header("Idempotency-Key", key)
						.POST(HttpRequest.BodyPublishers.ofString(body))
						.build(), HttpResponse.BodyHandlers.ofString());
					status = response.statusCode();
					answer = response.body();
				}
				catch (IOException ex) {
					status = -1;
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				this.attempts.add(new Attempt(System.currentTimeMillis(), System.nanoTime() - start, status));
				if (status == 200) {
					Matcher id = MESSAGE_ID.matcher(answer);
					this.accepted.add(new Accepted(name, k, id.find() ? id.group(1) : null));
					break;
				}
				// Pacing a retry, not waiting for an outcome: the next attempt is the
				// test.
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
				backoffMillis = Math.min(backoffMillis * 2, 500);
			}
			LockSupport.parkNanos(this.pause.toNanos());
		}
	}

	/** Stops sending; waits for each sender's last request to end. */
	@Override
	public void close() throws InterruptedException {
		this.running = false;
		for (Thread sender : this.senders) {
			sender.join();
		}
	}

	/**
	 * One request and its answer.
	 *
	 * @param atMillis when it ended
	 * @param nanos how long it took
	 * @param status the HTTP status, or -1 when there was no answer (connection refused
	 * or reset)
	 */
	record Attempt(long atMillis, long nanos, int status) {
	}

	/**
	 * A message the publisher answered 200 for.
	 *
	 * @param sender the sender's name
	 * @param k the sender's message number (its text is {@code m<k>})
	 * @param messageId the id the publisher answered
	 */
	record Accepted(String sender, long k, String messageId) {
	}

}
