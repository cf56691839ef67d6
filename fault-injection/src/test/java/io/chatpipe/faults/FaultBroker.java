package io.chatpipe.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * A RabbitMQ node of the suite's own (its own node name, port, data and config, no
 * plugins), so stopping, killing or freezing it, or raising its memory alarm, never
 * disturbs any other broker on the machine. Alone it is the suite's broker; three of them
 * make a {@link BrokerCluster}.
 */
final class FaultBroker implements Broker, AutoCloseable {

	static final String NODE = "chatpipe-faults@localhost";

	private final String node;

	private final int port;

	private final Path dir;

	private final Map<String, String> environment = new LinkedHashMap<>();

	private final String server = Commands.find("RabbitMQ node", "/usr/lib/rabbitmq/bin/rabbitmq-server",
			"/usr/local/sbin/rabbitmq-server", "/opt/rabbitmq/sbin/rabbitmq-server");

	private final String ctl = Path.of(this.server).resolveSibling("rabbitmqctl").toString();

	FaultBroker(Path work, int port) throws IOException {
		this(work, NODE, port, "");
	}

	/**
	 * @param work the folder its data, logs and config go to (in a subfolder named for
	 * the node)
	 * @param node its Erlang node name
	 * @param port its AMQP port; its inter-node port is this plus 20000
	 * @param config more {@code rabbitmq.conf} lines
	 */
	FaultBroker(Path work, String node, int port, String config) throws IOException {
		this.node = node;
		this.port = port;
		this.dir = work.resolve(node.substring(0, node.indexOf('@')));
		Files.createDirectories(this.dir);
		Files.writeString(this.dir.resolve("rabbitmq.conf"), "listeners.tcp.local = 127.0.0.1:" + port + "\n" + config);
		Files.writeString(this.dir.resolve("enabled_plugins"), "[].\n");
		Files.writeString(this.dir.resolve("rabbitmq-env.conf"), "");
		this.environment.put("RABBITMQ_NODENAME", node);
		this.environment.put("RABBITMQ_CONF_ENV_FILE", this.dir.resolve("rabbitmq-env.conf").toString());
		this.environment.put("RABBITMQ_CONFIG_FILE", this.dir.resolve("rabbitmq.conf").toString());
		this.environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", this.dir.resolve("enabled_plugins").toString());
		this.environment.put("RABBITMQ_MNESIA_BASE", this.dir.resolve("mnesia").toString());
		this.environment.put("RABBITMQ_LOG_BASE", this.dir.resolve("log").toString());
		this.environment.put("RABBITMQ_PID_FILE", this.dir.resolve("pid").toString());
		this.environment.put("RABBITMQ_DIST_PORT", String.valueOf(port + 20000));
		this.environment.put("ERL_EPMD_ADDRESS", "127.0.0.1");
		// A hung peer is noticed within 15-20 s (the default 60 s would hold a frozen
		// node's queues for a minute).
		this.environment.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel net_ticktime 15");
	}

	/**
	 * Starts a new node, first stopping one left over by a run that was killed and
	 * dropping its data (which may name the peers of an earlier cluster).
	 */
	void start() {
		stopQuietly();
		Commands.run(Map.of(), "rm", "-rf", this.dir.resolve("mnesia").toString());
		boot();
	}

	/** Starts the node again after it was stopped or killed, with its data. */
	void boot() {
		try {
			Files.deleteIfExists(this.dir.resolve("pid"));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		Commands.run(this.environment, this.server, "-detached");
		// await_startup fails until the node has registered; 'wait' on the pid file waits
		// for that too.
		ctl("wait", this.environment.get("RABBITMQ_PID_FILE"), "--timeout", "120");
		ctl("await_startup", "--timeout", "120");
	}

	/** Joins the cluster of another node (this node's data is reset). */
	void join(FaultBroker seed) {
		ctl("stop_app");
		ctl("reset");
		ctl("join_cluster", seed.node);
		ctl("start_app");
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

	/** Stops the whole node, as an upgrade does. */
	void stop() {
		ctl("stop");
	}

	/** SIGKILLs the node's Erlang VM: no goodbye to its peers or its clients. */
	void kill() {
		signal("KILL");
	}

	/** SIGSTOPs the node's VM: a hung host, its sockets open and silent. */
	void freeze() {
		signal("STOP");
	}

	void thaw() {
		signal("CONT");
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

	String node() {
		return this.node;
	}

	int port() {
		return this.port;
	}

	@Override
	public Map<String, Object> springProperties() {
		return Map.of("spring.rabbitmq.host", "127.0.0.1", "spring.rabbitmq.port", this.port,
				"spring.rabbitmq.username", "guest", "spring.rabbitmq.password", "guest");
	}

	@Override
	public Connection connect() throws Exception {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost("127.0.0.1");
		factory.setPort(this.port);
		return factory.newConnection();
	}

	/**
	 * Runs {@code rabbitmqctl} (or a sibling tool such as rabbitmq-upgrade) on this node.
	 */
	String ctl(String... arguments) {
		return tool(this.ctl, arguments);
	}

	String tool(String name, String... arguments) {
		String[] command = new String[arguments.length + 3];
		command[0] = Path.of(this.ctl).resolveSibling(Path.of(name).getFileName()).toString();
		command[1] = "-n";
		command[2] = this.node;
		System.arraycopy(arguments, 0, command, 3, arguments.length);
		return Commands.run(this.environment, command);
	}

	private void signal(String signal) {
		try {
			String pid = Files.readString(this.dir.resolve("pid")).trim();
			Commands.run(Map.of(), "kill", "-" + signal, pid);
		}
		catch (IOException ex) {
			throw new IllegalStateException("no pid file for " + this.node, ex);
		}
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
