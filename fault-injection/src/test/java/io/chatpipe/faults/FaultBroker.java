package io.chatpipe.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.rabbitmq.client.ConnectionFactory;

/**
 * A RabbitMQ node of the suite's own (node {@code chatpipe-faults@localhost}, its own
 * port, data and config, no plugins), so stopping it or raising its memory alarm never
 * disturbs any other broker on the machine.
 */
final class FaultBroker implements AutoCloseable {

	static final String NODE = "chatpipe-faults@localhost";

	private final int port;

	private final Map<String, String> environment = new LinkedHashMap<>();

	private final String server = Commands.find("RabbitMQ node", "/usr/lib/rabbitmq/bin/rabbitmq-server",
			"/usr/local/sbin/rabbitmq-server", "/opt/rabbitmq/sbin/rabbitmq-server");

	private final String ctl = Path.of(this.server).resolveSibling("rabbitmqctl").toString();

	FaultBroker(Path work, int port) throws IOException {
		this.port = port;
		Path dir = work.resolve("rabbitmq");
		Files.createDirectories(dir);
		Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.local = 127.0.0.1:" + port + "\n");
		Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
		Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
		this.environment.put("RABBITMQ_NODENAME", NODE);
		this.environment.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
		this.environment.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
		this.environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
		this.environment.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
		this.environment.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
		this.environment.put("RABBITMQ_PID_FILE", dir.resolve("pid").toString());
		this.environment.put("RABBITMQ_DIST_PORT", String.valueOf(port + 20000));
		this.environment.put("ERL_EPMD_ADDRESS", "127.0.0.1");
	}

	void start() {
		stopQuietly(); // a node left over by a run that was killed
		Commands.run(this.environment, this.server, "-detached");
		// await_startup fails until the node has registered; 'wait' on the pid file waits
		// for that too.
		ctl("wait", this.environment.get("RABBITMQ_PID_FILE"), "--timeout", "120");
		ctl("await_startup", "--timeout", "120");
	}

	/**
	 * Stops the broker application: connections drop and the port closes; the node and
	 * its data stay.
	 */
	void stopApp() {
		ctl("stop_app");
	}

	void startApp() {
		ctl("start_app");
		ctl("await_startup", "--timeout", "120");
	}

	/**
	 * Sets a tiny memory high watermark: the broker raises its memory alarm and blocks
	 * publishing connections.
	 */
	void raiseMemoryAlarm() {
		ctl("set_vm_memory_high_watermark", "absolute", "1MB");
	}

	void clearMemoryAlarm() {
		ctl("set_vm_memory_high_watermark", "0.4");
	}

	int port() {
		return this.port;
	}

	Map<String, Object> springProperties() {
		return Map.of("spring.rabbitmq.host", "127.0.0.1", "spring.rabbitmq.port", this.port,
				"spring.rabbitmq.username", "guest", "spring.rabbitmq.password", "guest");
	}

	ConnectionFactory connectionFactory() {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost("127.0.0.1");
		factory.setPort(this.port);
		return factory;
	}

	private String ctl(String... arguments) {
		String[] command = new String[arguments.length + 3];
		command[0] = this.ctl;
		command[1] = "-n";
		command[2] = NODE;
		System.arraycopy(arguments, 0, command, 3, arguments.length);
		return Commands.run(this.environment, command);
	}

	private void stopQuietly() {
		try {
			ctl("stop");
		}
		catch (IllegalStateException notRunning) {
			// nothing to stop
		}
	}

	@Override
	public void close() {
		stopQuietly();
	}

}
