package io.chatpipe.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for tests, reading the stream as the HTML standard says a
 * browser's {@code EventSource} does: {@code id:} and {@code data:} lines make an event,
 * a blank line dispatches it, a line starting with {@code :} is a comment. The events
 * pile up in {@link #events()} until {@link #close()}.
 */
public final class EventStream implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final HttpResponse<Stream<String>> response;

	private final List<Event> events = new CopyOnWriteArrayList<>();

	private final AtomicInteger comments = new AtomicInteger();

	private final Thread reader;

	private volatile boolean ended;

	private EventStream(HttpResponse<Stream<String>> response) {
		this.response = response;
		this.reader = Thread.ofVirtual().name("event-stream-reader").start(this::read);
	}

	/**
	 * Opens a stream; {@code lastEventId} (may be null) is sent as {@code Last-Event-ID}.
	 * Returns once the response's headers are in.
	 */
	public static EventStream open(URI uri, String lastEventId) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
		if (lastEventId != null) {
			request.header("Last-Event-ID", lastEventId);
		}
		try {
			return new EventStream(http.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public HttpResponse<Stream<String>> response() {
		return this.response;
	}

	/** The events received so far, in order. */
	public List<Event> events() {
		return List.copyOf(this.events);
	}

	/** The comment lines received so far (heartbeats among them). */
	public int comments() {
		return this.comments.get();
	}

	/** Whether the server ended the stream (or the connection broke). */
	public boolean ended() {
		return this.ended;
	}

	/** The id of the last event received, or null: what a client resumes with. */
	public String lastEventId() {
		List<Event> received = events();
		return received.isEmpty() ? null : received.get(received.size() - 1).id();
	}

	private void read() {
		String id = null;
		List<String> data = new ArrayList<>();
		try (Stream<String> lines = this.response.body()) {
			for (String line : (Iterable<String>) lines::iterator) {
				if (line.isEmpty()) {
					if (!data.isEmpty()) {
						this.events.add(new Event(id, String.join("\n", data)));
					}
					data.clear();
				}
				else if (line.startsWith(":")) {
					this.comments.incrementAndGet();
				}
				else if (line.startsWith("id:")) {
					id = field(line, "id:");
				}
				else if (line.startsWith("data:")) {
					data.add(field(line, "data:"));
				}
			}
		}
		catch (RuntimeException ex) {
			// the connection broke or was closed: the stream has ended
		}
		finally {
			this.ended = true;
		}
	}

	private static String field(String line, String name) {
		String value = line.substring(name.length());
		return value.startsWith(" ") ? value.substring(1) : value;
	}

	@Override
	public void close() {
		this.reader.interrupt();
		try {
			this.response.body().close();
		}
		catch (RuntimeException ex) {
			// closed already
		}
	}

	/**
	 * One event.
	 *
	 * @param id its id (the message's seq), or null
	 * @param data its data (the message's JSON)
	 */
	public record Event(String id, String data) {
	}

}
