package io.chatpipe.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * A RabbitMQ node of a test's own (its own node name, port, data, config and plugins), so
 * stopping, killing or freezing it, or raising its memory alarm, never disturbs any other
 * broker on the machine. The fault-injection suite's broker is one, and three of them its
 * cluster.
 */
public class RabbitNode implements AutoCloseable {

	private final String node;

	private final int port;

	private final Path dir;

	private final Map<String, String> environment = new LinkedHashMap<>();

	private final String server = Commands.find("RabbitMQ node", "/usr/lib/rabbitmq/bin/rabbitmq-server",
			"/usr/local/sbin/rabbitmq-server", "/opt/rabbitmq/sbin/rabbitmq-server");

	private final String ctl = Path.of(this.server).resolveSibling("rabbitmqctl").toString();

	/**
	 * @param work the folder its data, logs and config go to (in a subfolder named for
	 * the node)
	 * @param node its Erlang node name
	 * @param port its AMQP port; its inter-node port is this plus 20000
	 * @param config more {@code rabbitmq.conf} lines
	 * @param plugins the node's {@code enabled_plugins} file ({@code [].} for none)
	 */
	public RabbitNode(Path work, String node, int port, String config, String plugins) throws IOException {
		this.node = node;
		this.port = port;
		this.dir = work.resolve(node.substring(0, node.indexOf('@')));
		Files.createDirectories(this.dir);
		Files.writeString(this.dir.resolve("rabbitmq.conf"), "listeners.tcp.local = 127.0.0.1:" + port + "\n" + config);
		Files.writeString(this.dir.resolve("enabled_plugins"), plugins);
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
	public void start() {
		stopQuietly();
		Commands.run(Map.of(), "rm", "-rf", this.dir.resolve("mnesia").toString());
		boot();
	}

	/** Starts the node again after it was stopped or killed, with its data. */
	public void boot() {
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
	public void join(RabbitNode seed) {
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
	public void stopApp() {
		ctl("stop_app");
	}

	public void startApp() {
		ctl("start_app");
		ctl("await_startup", "--timeout", "120");
	}

	/** Stops the whole node, as an upgrade does. */
	public void stop() {
		ctl("stop");
	}

	/** SIGKILLs the node's Erlang VM: no goodbye to its peers or its clients. */
	public void kill() {
		signal("KILL");
	}

	/** SIGSTOPs the node's VM: a hung host, its sockets open and silent. */
	public void freeze() {
		signal("STOP");
	}

	public void thaw() {
		signal("CONT");
	}

	/**
	 * Sets a tiny memory high watermark: the broker raises its memory alarm and blocks
	 * publishing connections.
	 */
	public void raiseMemoryAlarm() {
		ctl("set_vm_memory_high_watermark", "absolute", "1MB");
	}

	public void clearMemoryAlarm() {
		ctl("set_vm_memory_high_watermark", "0.4");
	}

	public String node() {
		return this.node;
	}

	public int port() {
		return this.port;
	}

	/** Spring's properties for a tier that uses this node. */
	public Map<String, Object> springProperties() {
		return Map.of("spring.rabbitmq.host", "127.0.0.1", "spring.rabbitmq.port", this.port,
				"spring.rabbitmq.username", "guest", "spring.rabbitmq.password", "guest");
	}

	/** A new AMQP connection to this node, as guest. */
	public Connection connect() throws Exception {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost("127.0.0.1");
		factory.setPort(this.port);
		return factory.newConnection();
	}

	/**
	 * Runs {@code rabbitmqctl} (or a sibling tool such as rabbitmq-upgrade) on this node.
	 */
	public String ctl(String... arguments) {
		return tool(this.ctl, arguments);
	}

	public String tool(String name, String... arguments) {
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
