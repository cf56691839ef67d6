package io.chatpipe.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection of the {@link OpenModelLoad} generator, driven by
 * its selector thread: one request at a time, written whole; of each answer only the
 * status and the framing (Content-Length or chunked) are read, the body is skipped.
 */
final class HttpConnection {

	/** Told when an answer is complete, or when the connection broke. */
	interface Listener {

		void answered(HttpConnection connection, Exchange exchange, int status);

		/**
		 * The connection is closed; {@code exchange} is the request it was carrying, or
		 * null.
		 */
		void broke(HttpConnection connection, Exchange exchange);

	}

	/**
	 * One request on its way.
	 *
	 * @param due when it was due (System.nanoTime)
	 * @param index its number in its step
	 * @param request its bytes
	 */
	record Exchange(long due, long index, byte[] request) {
	}

	private static final byte[] HEADER_END = { '\r', '\n', '\r', '\n' };

	private static final byte[] CRLF = { '\r', '\n' };

	private final SocketChannel channel;

	private final SelectionKey key;

	private final Listener listener;

	private ByteBuffer in = ByteBuffer.allocate(16 * 1024);

	private ByteBuffer out;

	private Exchange current;

	private boolean connected;

	private boolean closed;

	HttpConnection(Selector selector, InetSocketAddress address, Listener listener) throws IOException {
		this.listener = listener;
		this.channel = SocketChannel.open();
		this.channel.configureBlocking(false);
		this.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
		this.connected = this.channel.connect(address);
		this.key = this.channel.register(selector, this.connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT,
				this);
	}

	/** Sends this request; the connection must be idle. */
	void send(Exchange exchange) {
		this.current = exchange;
		this.out = ByteBuffer.wrap(exchange.request());
		if (this.connected) {
			try {
				write();
			}
			catch (IOException ex) {
				broke();
			}
		}
	}

	/** Handles what the selector found ready on this connection. */
	void ready(SelectionKey selected) {
		if (this.closed) {
			return;
		}
		try {
			if (selected.isConnectable()) {
				this.channel.finishConnect();
				this.connected = true;
				this.key.interestOps(SelectionKey.OP_READ);
				if (this.current != null) {
					write();
				}
			}
			if (this.key.isValid() && selected.isWritable()) {
				write();
			}
			if (this.key.isValid() && selected.isReadable()) {
				read();
			}
		}
		catch (IOException | RuntimeException ex) {
			broke();
		}
	}

	private void write() throws IOException {
		this.channel.write(this.out);
		this.key
			.interestOps(this.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
	}

	private void read() throws IOException {
		if (!this.in.hasRemaining()) {
			ByteBuffer bigger = ByteBuffer.allocate(this.in.capacity() * 2);
			this.in.flip();
			bigger.put(this.in);
			this.in = bigger;
		}
		if (this.channel.read(this.in) < 0) {
			broke();
			return;
		}
		Head head = head();
		int length = (head != null) ? answerLength(head) : -1;
		if (length < 0 || this.current == null) {
			// Not complete yet, or nothing was asked (stray bytes, dropped with the
			// next).
			return;
		}
		this.in.flip();
		this.in.position(length);
		this.in.compact();
		Exchange done = this.current;
		this.current = null;
		if (head.close()) {
			close();
		}
		this.listener.answered(this, done, head.status());
		if (head.close()) {
			this.listener.broke(this, null);
		}
	}

	/** Whether it can carry another request. */
	boolean open() {
		return !this.closed;
	}

	/** The whole answer's length in bytes, or -1 while it is incomplete. */
	private int answerLength(Head head) {
		if (head.contentLength() >= 0) {
			int end = head.bodyStart() + head.contentLength();
			return (this.in.position() >= end) ? end : -1;
		}
		if (!head.chunked()) {
			// No body: the answers measured here always frame theirs.
			return head.bodyStart();
		}
		int at = head.bodyStart();
		while (true) {
			int lineEnd = indexOf(CRLF, at);
			if (lineEnd < 0) {
				return -1;
			}
			String sizeField = new String(this.in.array(), at, lineEnd - at, StandardCharsets.US_ASCII);
			int semicolon = sizeField.indexOf(';');
			int size = Integer.parseInt((semicolon >= 0) ? sizeField.substring(0, semicolon) : sizeField.trim(), 16);
			// The chunk and its CRLF; the last chunk is "0\r\n\r\n".
			at = lineEnd + 2 + size + 2;
			if (at > this.in.position()) {
				return -1;
			}
			if (size == 0) {
				return at;
			}
		}
	}

	/** The answer's head, or null while it is incomplete. */
	private Head head() {
		int headerEnd = indexOf(HEADER_END, 0);
		if (headerEnd < 0) {
			return null;
		}
		String head = new String(this.in.array(), 0, headerEnd, StandardCharsets.ISO_8859_1);
		// "HTTP/1.1 200 OK"
		int status = Integer.parseInt(head.substring(9, 12));
		int contentLength = -1;
		boolean chunked = false;
		boolean close = false;
		for (String line : head.split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon <= 0) {
				continue;
			}
			String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
			String value = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
			switch (name) {
				case "content-length" -> contentLength = Integer.parseInt(value);
				case "transfer-encoding" -> chunked = value.contains("chunked");
				case "connection" -> close = value.equals("close");
				default -> {
				}
			}
		}
		return new Head(headerEnd + HEADER_END.length, status, contentLength, chunked, close);
	}

	private record Head(int bodyStart, int status, int contentLength, boolean chunked, boolean close) {
	}

	private int indexOf(byte[] pattern, int from) {
		byte[] bytes = this.in.array();
		int end = this.in.position() - pattern.length;
		outer: for (int i = from; i <= end; i++) {
			for (int j = 0; j < pattern.length; j++) {
				if (bytes[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private void broke() {
		if (this.closed) {
			return;
		}
		Exchange lost = this.current;
		this.current = null;
		close();
		this.listener.broke(this, lost);
	}

	void close() {
		this.closed = true;
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
