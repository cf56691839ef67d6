package io.chatpipe.perf;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;

/**
 * Holds many Server-Sent Event streams at once, as lean as the {@link OpenModelLoad}
 * generator: one thread, plain NIO, each stream's answer decoded as it arrives (HTTP
 * headers, chunked framing, then the event lines) with nothing kept but the line being
 * read. For each event it checks the seq against the stream's last one (a gap is a missed
 * message, a seq seen before a duplicate) and, from the send number the benchmark put at
 * the start of the text, measures the time from that send's 200 to the event.
 * <p>
 * The streams' sockets are spread over several loopback source addresses (127.0.0.2 and
 * up), so that the box's ephemeral ports never run short. A stream that ends or breaks
 * reconnects with {@code Last-Event-ID}, as a browser's {@code EventSource} does.
 */
final class LiveStreams implements AutoCloseable {

	/** Streams per loopback source address. */
	static final int PER_SOURCE_ADDRESS = 5_000;

	/** The length of the latency windows ({@link Seen#windows()}). */
	static final Duration WINDOW = Duration.ofSeconds(10);

	private static final byte[] HEADER_END = { '\r', '\n', '\r', '\n' };

	private final InetSocketAddress server;

	private final String host;

	private final Selector selector = Selector.open();

	private final List<Stream> streams = new ArrayList<>();

	private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

	private final PriorityQueue<Reconnect> reconnects = new PriorityQueue<>();

	private final ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);

	private final AtomicLongArray answeredAt;

	/**
	 * When the last of a send's events came in (microseconds since the epoch, from this
	 * JVM's monotonic clock), by send number: with the database's {@code stored_at}, the
	 * query API's part of the way.
	 */
	private final AtomicLongArray eventAt;

	private final long epochMicrosAtStart = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());

	private final long nanosAtStart = System.nanoTime();

	private final Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);

	/**
	 * The latencies again, one histogram for each {@link #WINDOW} since the last reset.
	 */
	private final List<Histogram> windows = new ArrayList<>();

	private long windowsFrom = System.nanoTime();

	private final Thread thread;

	private volatile boolean running = true;

	private long events;

	private long duplicates;

	private long missed;

	private long early;

	private long failedOpens;

	private long connected;

	private long lastResumedAt;

	/**
	 * @param uri the query API's base URI
	 * @param answeredAt when each send's 200 came in (System.nanoTime), by send number;
	 * written by the sender
	 */
	LiveStreams(URI uri, AtomicLongArray answeredAt) throws IOException {
		this.server = new InetSocketAddress(uri.getHost(), uri.getPort());
		this.host = uri.getHost() + ":" + uri.getPort();
		this.answeredAt = answeredAt;
		this.eventAt = new AtomicLongArray(answeredAt.length());
		this.thread = Thread.ofPlatform().name("live-streams").daemon().start(this::loop);
	}

	/**
	 * When the last event of send {@code number} came in, in microseconds since the
	 * epoch; 0 when none did.
	 */
	long eventAtMicros(int number) {
		return this.eventAt.get(number);
	}

	/** Opens a stream of a chat from its start; returns at once. */
	void open(String chat) {
		this.tasks.add(() -> {
			Stream stream = new Stream(this.streams.size(), chat);
			this.streams.add(stream);
			connect(stream);
		});
		this.selector.wakeup();
	}

	/** How many streams have their 200 in, now. */
	long connected() {
		return call(() -> this.connected);
	}

	/**
	 * Drops every stream at once; each reconnects after a delay of up to {@code jitter}.
	 */
	long dropAll(long jitterMillis) {
		return call(() -> {
			long now = System.nanoTime();
			for (Stream stream : this.streams) {
				if (!stream.pending) {
					stream.close();
					stream.pending = true;
					this.reconnects.add(new Reconnect(
							now + TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(jitterMillis + 1)),
							stream));
				}
			}
			this.connected = 0;
			return now;
		});
	}

	private void record(long now, long micros) {
		this.latencies.recordValue(micros);
		int window = (int) ((now - this.windowsFrom) / WINDOW.toNanos());
		while (this.windows.size() <= window) {
			this.windows.add(new Histogram(TimeUnit.SECONDS.toMicros(120), 3));
		}
		this.windows.get(window).recordValue(micros);
	}

	/** What the streams saw so far. */
	Seen seen() {
		return call(() -> {
			List<Long> lastSeqs = this.streams.stream().map((stream) -> stream.nextSeq - 1).toList();
			List<String> chats = this.streams.stream().map((stream) -> stream.chat).toList();
			Histogram copy = this.latencies.copy();
			List<Histogram> windows = this.windows.stream().map(Histogram::copy).toList();
			return new Seen(this.events, this.duplicates, this.missed, this.early, this.failedOpens, this.connected,
					this.lastResumedAt, chats, lastSeqs, copy, windows);
		});
	}

	/**
	 * Forgets the latencies recorded so far (the warm-up's); the windows start again from
	 * now.
	 */
	void resetLatencies() {
		call(() -> {
			this.latencies.reset();
			this.windows.clear();
			this.windowsFrom = System.nanoTime();
			return null;
		});
	}

	private <T> T call(Supplier<T> task) {
		CompletableFuture<T> result = new CompletableFuture<>();
		this.tasks.add(() -> result.complete(task.get()));
		this.selector.wakeup();
		return result.join();
	}

	private void loop() {
		while (this.running) {
			try {
				long now = System.nanoTime();
				while (!this.reconnects.isEmpty() && this.reconnects.peek().at() <= now) {
					connect(this.reconnects.poll().stream());
				}
				Runnable task;
				while ((task = this.tasks.poll()) != null) {
					task.run();
				}
				long wait = this.reconnects.isEmpty() ? 100
						: Math.max(1, TimeUnit.NANOSECONDS.toMillis(this.reconnects.peek().at() - now));
				this.selector.select(Math.min(wait, 100));
				for (SelectionKey key : this.selector.selectedKeys()) {
					((Stream) key.attachment()).ready(key);
				}
				this.selector.selectedKeys().clear();
			}
			catch (IOException | RuntimeException ex) {
				ex.printStackTrace();
			}
		}
	}

	private void connect(Stream stream) {
		stream.pending = false;
		try {
			SocketChannel channel = SocketChannel.open();
			channel.configureBlocking(false);
			channel.bind(new InetSocketAddress(
					InetAddress.getByAddress(new byte[] { 127, 0, 0, (byte) (2 + stream.index / PER_SOURCE_ADDRESS) }),
					0));
			channel.connect(this.server);
			stream.start(channel, channel.register(this.selector, SelectionKey.OP_CONNECT, stream));
		}
		catch (IOException ex) {
			this.failedOpens++;
			retryLater(stream);
		}
	}

	private void retryLater(Stream stream) {
		stream.close();
		if (stream.pending) {
			return;
		}
		stream.pending = true;
		this.reconnects.add(new Reconnect(System.nanoTime() + TimeUnit.SECONDS.toNanos(1), stream));
	}

	@Override
	public void close() {
		this.running = false;
		this.selector.wakeup();
		try {
			this.thread.join(5_000);
			for (Stream stream : this.streams) {
				stream.close();
			}
			this.selector.close();
		}
		catch (IOException | InterruptedException ex) {
			// closing anyway
		}
	}

	/**
	 * What the streams saw.
	 *
	 * @param events events received
	 * @param duplicates events with a seq received before
	 * @param missed seqs skipped over
	 * @param early events that arrived before their send's 200 (in the latencies as 0)
	 * @param failedOpens connections that could not be opened or were refused
	 * @param connected streams with their 200 in
	 * @param lastResumedAt when the last stream got its 200 (System.nanoTime)
	 * @param chats each stream's chat
	 * @param lastSeqs each stream's last seq received in order
	 * @param latencies send 200 to event, microseconds
	 * @param windows the same, for each {@link #WINDOW} from the last reset (by when the
	 * event came)
	 */
	record Seen(long events, long duplicates, long missed, long early, long failedOpens, long connected,
			long lastResumedAt, List<String> chats, List<Long> lastSeqs, Histogram latencies, List<Histogram> windows) {
	}

	private record Reconnect(long at, Stream stream) implements Comparable<Reconnect> {

		@Override
		public int compareTo(Reconnect other) {
			return Long.compare(this.at, other.at);
		}

	}

	/** One stream's connection and where its parser is. */
	private final class Stream {

		private final int index;

		private final String chat;

		private SocketChannel channel;

		private SelectionKey key;

		private long nextSeq = 1;

		/** Waiting to reconnect. */
		private boolean pending;

		private boolean inBody;

		private boolean chunked;

		private byte[] line = new byte[256];

		private int lineLength;

		/** The event line being read. */
		private byte[] body = new byte[512];

		private int bodyLength;

		private int headerMatch;

		private long chunkLeft = -1;

		private boolean chunkTrailer;

		private long id = -1;

		private int number = -1;

		Stream(int index, String chat) {
			this.index = index;
			this.chat = chat;
		}

		void start(SocketChannel channel, SelectionKey key) {
			this.channel = channel;
			this.key = key;
			this.inBody = false;
			this.chunked = false;
			this.lineLength = 0;
			this.headerMatch = 0;
			this.chunkLeft = -1;
			this.chunkTrailer = false;
			this.id = -1;
			this.number = -1;
		}

		void ready(SelectionKey key) {
			try {
				if (key.isConnectable()) {
					this.channel.finishConnect();
					String request = "GET /api/stream?chat=" + URLEncoder.encode(this.chat, StandardCharsets.UTF_8)
							+ " HTTP/1.1\r\nHost: " + LiveStreams.this.host + "\r\nAccept: text/event-stream\r\n"
							+ ((this.nextSeq > 1) ? "Last-Event-ID: " + (this.nextSeq - 1) + "\r\n" : "") + "\r\n";
					ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
					while (out.hasRemaining()) {
						this.channel.write(out);
					}
					key.interestOps(SelectionKey.OP_READ);
					return;
				}
				ByteBuffer buffer = LiveStreams.this.in;
				buffer.clear();
				int read = this.channel.read(buffer);
				if (read < 0) {
					ended();
					return;
				}
				buffer.flip();
				while (buffer.hasRemaining() && this.channel != null) {
					if (!this.inBody) {
						header(buffer.get());
					}
					else if (this.chunked) {
						chunk(buffer);
					}
					else {
						body(buffer.get());
					}
				}
			}
			catch (IOException ex) {
				ended();
			}
		}

		/** Reads the answer's head up to its blank line; only 200 is a stream. */
		private void header(byte b) {
			append(b);
			this.headerMatch = (b == HEADER_END[this.headerMatch]) ? this.headerMatch + 1 : ((b == '\r') ? 1 : 0);
			if (this.headerMatch == HEADER_END.length) {
				String head = new String(this.line, 0, this.lineLength, StandardCharsets.ISO_8859_1);
				this.lineLength = 0;
				if (!head.startsWith("HTTP/1.1 200")) {
					LiveStreams.this.failedOpens++;
					retryLater(this);
					return;
				}
				this.chunked = head.toLowerCase().contains("transfer-encoding: chunked");
				this.inBody = true;
				LiveStreams.this.connected++;
				LiveStreams.this.lastResumedAt = System.nanoTime();
			}
		}

		/** Chunked framing: a hex size line, that many bytes of body, CRLF. */
		private void chunk(ByteBuffer buffer) {
			if (this.chunkLeft > 0) {
				int n = (int) Math.min(this.chunkLeft, buffer.remaining());
				for (int i = 0; i < n; i++) {
					body(buffer.get());
				}
				this.chunkLeft -= n;
				if (this.chunkLeft == 0) {
					this.chunkTrailer = true;
				}
				return;
			}
			byte b = buffer.get();
			if (this.chunkTrailer) {
				if (b == '\n') {
					this.chunkTrailer = false;
					this.chunkLeft = -1;
				}
				return;
			}
			if (b == '\n') {
				String size = new String(this.line, 0, this.lineLength, StandardCharsets.ISO_8859_1).trim();
				this.lineLength = 0;
				int extension = size.indexOf(';');
				this.chunkLeft = Long.parseLong((extension < 0) ? size : size.substring(0, extension), 16);
				if (this.chunkLeft == 0) {
					ended();
				}
			}
			else {
				append(b);
			}
		}

		/** The event stream's bytes: lines, and a blank line ends an event. */
		private void body(byte b) {
			if (b != '\n') {
				if (b != '\r') {
					appendBody(b);
				}
				return;
			}
			if (this.bodyLength == 0) {
				dispatch();
			}
			else if (startsWith("id:")) {
				this.id = Long
					.parseLong(new String(this.body, 3, this.bodyLength - 3, StandardCharsets.US_ASCII).trim());
			}
			else if (startsWith("data:")) {
				this.number = sendNumber();
			}
			this.bodyLength = 0;
		}

		private void appendBody(byte b) {
			if (this.bodyLength == this.body.length) {
				this.body = Arrays.copyOf(this.body, this.body.length * 2);
			}
			this.body[this.bodyLength++] = b;
		}

		private boolean startsWith(String prefix) {
			if (this.bodyLength < prefix.length()) {
				return false;
			}
			for (int i = 0; i < prefix.length(); i++) {
				if (this.body[i] != prefix.charAt(i)) {
					return false;
				}
			}
			return true;
		}

		/** The send number at the start of the text: {@code "text":"#123 ...}. */
		private int sendNumber() {
			String data = new String(this.body, 0, this.bodyLength, StandardCharsets.UTF_8);
			int at = data.indexOf("\"text\":\"#");
			if (at < 0) {
				return -1;
			}
			int start = at + 9;
			int end = start;
			while (end < data.length() && Character.isDigit(data.charAt(end))) {
				end++;
			}
			return (end > start) ? Integer.parseInt(data.substring(start, end)) : -1;
		}

		private void dispatch() {
			if (this.id < 0) {
				return;
			}
			LiveStreams.this.events++;
			if (this.id < this.nextSeq) {
				LiveStreams.this.duplicates++;
			}
			else {
				LiveStreams.this.missed += this.id - this.nextSeq;
				this.nextSeq = this.id + 1;
				if (this.number >= 0 && this.number < LiveStreams.this.answeredAt.length()) {
					long answered = LiveStreams.this.answeredAt.get(this.number);
					long now = System.nanoTime();
					// Before its send's 200, an event waited for nothing after it: it
					// counts as 0 (left out, the slower rest alone would be measured).
					if (answered == 0) {
						LiveStreams.this.early++;
					}
					LiveStreams.this.record(now, (answered == 0) ? 0 : Math.max(0, (now - answered) / 1000));
					LiveStreams.this.eventAt.set(this.number,
							LiveStreams.this.epochMicrosAtStart + (now - LiveStreams.this.nanosAtStart) / 1000);
				}
			}
			this.id = -1;
			this.number = -1;
		}

		private void append(byte b) {
			if (this.lineLength == this.line.length) {
				this.line = Arrays.copyOf(this.line, this.line.length * 2);
			}
			this.line[this.lineLength++] = b;
		}

		/**
		 * The server ended the stream, or the connection broke: reconnect, as a browser.
		 */
		private void ended() {
			if (this.inBody) {
				LiveStreams.this.connected--;
			}
			retryLater(this);
		}

		void close() {
			if (this.key != null) {
				this.key.cancel();
			}
			if (this.channel != null) {
				try {
					this.channel.close();
				}
				catch (IOException ex) {
					// closed
				}
			}
			this.channel = null;
			this.key = null;
		}

	}

}
