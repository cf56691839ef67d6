package io.chatpipe.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds free loopback ports for the suite's own services. */
final class Ports {

	private Ports() {
	}

	/** The first free port in {@code from..to}. */
	static int free(int from, int to) throws IOException {
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
