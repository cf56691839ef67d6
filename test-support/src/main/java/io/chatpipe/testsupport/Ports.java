package io.chatpipe.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Finds free loopback ports for the services a test runs of its own. */
public final class Ports {

	/**
	 * The ports {@link #unused()} handed out in this JVM. A port the system picked for a
	 * socket that was closed again is free, and the system may pick it again before the
	 * process it was meant for has bound it: two tiers started one after the other were
	 * given the same port, and the second failed to start (a benchmark run, 2026-12-04).
	 */
	private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

	private Ports() {
	}

	/** The first free port in {@code from..to}. */
	public static int free(int from, int to) throws IOException {
		for (int port = from; port <= to; port++) {
			try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
				return port;
			}
			catch (IOException taken) {
				// try the next
			}
		}
		throw new IOException("no free port in " + from + ".." + to);
	}

	/**
	 * A free port that the system picks, never one this method handed out before in this
	 * JVM, for a process that binds it itself later.
	 */
	public static int unused() throws IOException {
		for (int attempt = 0; attempt < 1_000; attempt++) {
			try (ServerSocket socket = new ServerSocket(0)) {
				if (HANDED_OUT.add(socket.getLocalPort())) {
					return socket.getLocalPort();
				}
			}
		}
		throw new IOException("no free port that was not handed out before");
	}

}
