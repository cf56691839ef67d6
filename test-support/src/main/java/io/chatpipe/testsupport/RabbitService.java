package io.chatpipe.testsupport;

import java.net.URI;

/**
 * A reachable RabbitMQ.
 *
 * @param host the host
 * @param port the AMQP port
 * @param username the user
 * @param password the password
 * @param virtualHost the virtual host
 * @param origin where it was found, for the test log
 */
public record RabbitService(String host, int port, String username, String password, String virtualHost,
		String origin) {

	/** The service without its password, which is never printed. */
	@Override
	public String toString() {
		return "RabbitService[" + this.username + "@" + this.host + ":" + this.port + this.virtualHost + ", "
				+ this.origin + "]";
	}

	static RabbitService fromUri(String uri, String origin) {
		URI parsed = URI.create(uri);
		String[] userInfo = (parsed.getUserInfo() != null) ? parsed.getUserInfo().split(":", 2)
				: new String[] { "guest", "guest" };
		String path = parsed.getPath();
		String vhost = (path == null || path.isEmpty() || path.equals("/")) ? "/" : path.substring(1);
		return new RabbitService(parsed.getHost(), (parsed.getPort() > 0) ? parsed.getPort() : 5672, userInfo[0],
				(userInfo.length > 1) ? userInfo[1] : "", vhost, origin);
	}

}
