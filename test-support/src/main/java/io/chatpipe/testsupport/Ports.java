package io.chatpipe.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds free loopback ports for the services a test runs of its own. */
public final class Ports {

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

}
