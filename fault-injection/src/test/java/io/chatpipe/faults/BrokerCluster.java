package io.chatpipe.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * Three RabbitMQ nodes of the suite's own, clustered on this machine as the production
 * overlay runs them on three hosts: quorum queues get a member on every node, and their
 * leaders are spread over the nodes ({@code queue_leader_locator = balanced}). The tiers
 * get the list of nodes ({@code spring.rabbitmq.addresses}).
 */
final class BrokerCluster implements Broker, AutoCloseable {

	private static final String CONFIG = """
			queue_leader_locator = balanced
			cluster_partition_handling = autoheal
			""";

	private static final ObjectMapper json = new ObjectMapper();

	final List<FaultBroker> nodes = new ArrayList<>();

	BrokerCluster(Path work, int... ports) throws Exception {
		for (int i = 0; i < ports.length; i++) {
			this.nodes.add(new FaultBroker(work, "chatpipe-cluster-" + (i + 1) + "@localhost", ports[i], CONFIG));
		}
	}

	/** Starts every node, then joins the second and third to the first. */
	void start() {
		this.nodes.forEach(FaultBroker::start);
		for (FaultBroker node : this.nodes.subList(1, this.nodes.size())) {
			node.join(this.nodes.get(0));
		}
	}

	/** The node that leads the most of these queues (asked of a node that is running). */
	FaultBroker leaderOfMost(List<String> queues, FaultBroker askWith) throws Exception {
		String node = ledPerNode(queues, askWith).entrySet()
			.stream()
			.max(Map.Entry.comparingByValue())
			.orElseThrow()
			.getKey();
		return this.nodes.stream().filter((candidate) -> candidate.node().equals(node)).findFirst().orElseThrow();
	}

	/**
	 * The node that a client connection whose name contains this text is connected to
	 * (the publisher's publishing connection is
	 * {@code rabbitConnectionFactory.publisher#...}).
	 */
	FaultBroker nodeOfConnection(String namePart, FaultBroker askWith) throws Exception {
		for (JsonNode connection : json
			.readTree(askWith.ctl("list_connections", "port", "client_properties", "--formatter", "json", "-q"))) {
			if (connection.path("client_properties").toString().contains(namePart)) {
				int port = connection.path("port").asInt();
				return this.nodes.stream().filter((node) -> node.port() == port).findFirst().orElseThrow();
			}
		}
		throw new IllegalStateException("no connection named like " + namePart);
	}

	/** How many of these queues each node leads. */
	Map<String, Long> ledPerNode(List<String> queues, FaultBroker askWith) throws Exception {
		return leaders(askWith).entrySet()
			.stream()
			.filter((entry) -> queues.contains(entry.getKey()))
			.collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.counting()));
	}

	/**
	 * Waits until the cluster is whole again: every node running and seeing the other
	 * two, and no partition, for 5 s in a row (a node frozen past net_ticktime comes back
	 * to a partition, which autoheal ends by restarting the losing side).
	 */
	void awaitWhole() {
		await("the 3 RabbitMQ nodes clustered again, without a partition").atMost(Duration.ofSeconds(180))
			.during(Duration.ofSeconds(5))
			.pollInterval(Duration.ofSeconds(1))
			.until(this::whole);
	}

	private boolean whole() {
		try {
			for (FaultBroker node : this.nodes) {
				JsonNode status = json.readTree(node.ctl("cluster_status", "--formatter", "json", "-q"));
				if (status.path("running_nodes").size() != this.nodes.size() || !status.path("partitions").isEmpty()) {
					return false;
				}
			}
			return true;
		}
		catch (Exception notNow) {
			return false;
		}
	}

	/** How many members each queue has online. */
	Map<String, Integer> onlineMembers(FaultBroker askWith) throws Exception {
		Map<String, Integer> online = new HashMap<>();
		for (JsonNode queue : json
			.readTree(askWith.ctl("list_queues", "name", "online", "--formatter", "json", "-q"))) {
			online.put(queue.get("name").asText(), queue.get("online").size());
		}
		return online;
	}

	@Override
	public long heldEnqueues(List<String> queues) {
		RuntimeException last = null;
		for (FaultBroker node : this.nodes) {
			try {
				return node.heldEnqueues(queues);
			}
			catch (RuntimeException notRunning) {
				last = notRunning;
			}
		}
		throw last;
	}

	private Map<String, String> leaders(FaultBroker askWith) throws Exception {
		Map<String, String> leaders = new HashMap<>();
		for (JsonNode queue : json
			.readTree(askWith.ctl("list_queues", "name", "leader", "--formatter", "json", "-q"))) {
			leaders.put(queue.get("name").asText(), queue.get("leader").asText());
		}
		return leaders;
	}

	String addresses() {
		return this.nodes.stream().map((node) -> "127.0.0.1:" + node.port()).collect(Collectors.joining(","));
	}

	@Override
	public Map<String, Object> springProperties() {
		return Map.of("spring.rabbitmq.addresses", addresses(), "spring.rabbitmq.username", "guest",
				"spring.rabbitmq.password", "guest");
	}

	@Override
	public Connection connect() throws Exception {
		return new ConnectionFactory().newConnection(Address.parseAddresses(addresses()));
	}

	@Override
	public void close() {
		for (FaultBroker node : this.nodes) {
			try {
				node.thaw();
			}
			catch (IllegalStateException notRunning) {
				// killed or stopped
			}
			node.close();
		}
	}

}
