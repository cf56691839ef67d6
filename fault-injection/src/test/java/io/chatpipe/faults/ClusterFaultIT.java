package io.chatpipe.faults;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.testsupport.Ports;
import io.chatpipe.testsupport.Tier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Past one machine: the tiers on a 3-node RabbitMQ cluster (quorum queues with a member
 * on every node) and on PostgreSQL replicated synchronously under Patroni, with nodes
 * lost, frozen, switched over and restarted one at a time under a steady stream of sends.
 * The accounting is {@link FaultInjectionIT}'s: every 200 stored exactly once, per-chat
 * order kept, seq gap-free, no dead letters. It also measures the steady send rate on the
 * cluster against one RabbitMQ node and one PostgreSQL, and writes its table to
 * {@code target/cluster-fault-report.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultIT {

	static final List<Outcome> outcomes = new ArrayList<>();

	static final List<String> notes = new ArrayList<>();

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	static final ObjectMapper json = new ObjectMapper();

	static Path work;

	static BrokerCluster brokers;

	static PatroniCluster databases;

	@BeforeAll
	static void startClusters() throws Exception {
		work = Path.of(System.getProperty("chatpipe.faults.work", "target/fault-services")).resolve("cluster");
		brokers = new BrokerCluster(work, Ports.free(5701, 5719), Ports.free(5721, 5739), Ports.free(5741, 5759));
		databases = new PatroniCluster(work.resolve("patroni-logs"), Ports.free(2471, 2479), Ports.free(5601, 5619),
				Ports.free(5621, 5639));
		brokers.start();
		databases.start();
	}

	@AfterAll
	static void report() throws Exception {
		try {
			Outcome.write(outcomes, "cluster-fault-report.md", "Cluster fault-injection report",
					notes.toArray(String[]::new));
		}
		finally {
			if (brokers != null) {
				brokers.close();
			}
			if (databases != null) {
				databases.close();
			}
		}
	}

	@BeforeEach
	void everyNodeIsUp() {
		// A scenario starts from the whole cluster: all three brokers, every quorum queue
		// with its three members, a PostgreSQL leader and its synchronous standby.
		for (FaultBroker node : brokers.nodes) {
			node.ctl("await_startup", "--timeout", "120");
		}
		brokers.awaitWhole();
		databases.awaitHealthy();
	}

	@Test
	@Order(1)
	void theClusterSendsAtAMeasuredShareOfTheSingleNodeRate() throws Exception {
		double single;
		try (FaultBroker broker = new FaultBroker(work, "chatpipe-single@localhost", Ports.free(5761, 5779), "");
				FaultDatabase database = new FaultDatabase(Ports.free(5640, 5659))) {
			broker.start();
			database.create();
			single = rate(broker, database, "0a. steady rate, one RabbitMQ node and one PostgreSQL");
		}
		double cluster = rate(brokers, databases,
				"0b. steady rate, 3 RabbitMQ nodes and PostgreSQL with a synchronous standby");
		notes.add(String.format(
				"Steady send rate (16 senders each awaiting its 200, no pause; 20 s after 10 s of warm-up): one node %.0f/s, cluster %.0f/s, ratio %.2f.",
				single, cluster, cluster / single));
		assertThat(cluster).isPositive();
	}

	@Test
	@Order(2)
	void killingTheBrokerThatLeadsMostShardsLosesNothing() throws Exception {
		try (Scenario scenario = new Scenario(brokers, databases, 1, false)) {
			List<String> shards = scenario.topology.shardQueues();
			FaultBroker survivor = brokers.nodes.get(0);
			Map<String, Integer> threeEach = new HashMap<>();
			shards.forEach((shard) -> threeEach.put(shard, 3));
			assertThat(brokers.onlineMembers(survivor)).as("members online per shard queue")
				.containsAllEntriesOf(threeEach);
			FaultBroker victim = brokers.leaderOfMost(shards, survivor);
			Map<String, Long> before = brokers.ledPerNode(shards, survivor);
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			victim.kill();
			Scenario.hold(Duration.ofSeconds(15));
			survivor = brokers.nodes.stream().filter((node) -> node != victim).findFirst().orElseThrow();
			Map<String, Long> after = brokers.ledPerNode(shards, survivor);
			victim.boot();
			Scenario.hold(Duration.ofSeconds(5));
			load.close();
			record(scenario.verify(
					"1. SIGKILL of the RabbitMQ node leading the most shard queues, restarted 15 s later", load,
					"killed " + victim.node() + "; leaders before " + before + ", after " + after))
				.assertClean(0);
			assertThat(after).as("shard queue leaders after the kill").doesNotContainKey(victim.node());
		}
	}

	@Test
	@Order(3)
	void aBrokerNodeStoppedFor30sLosesNothing() throws Exception {
		try (Scenario scenario = new Scenario(brokers, databases, 1, false)) {
			FaultBroker node = brokers.nodes.get(1);
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			node.stopApp();
			Scenario.hold(Duration.ofSeconds(30));
			node.startApp();
			Scenario.hold(Duration.ofSeconds(5));
			load.close();
			record(scenario.verify("2. a RabbitMQ node's app stopped for 30 s, then started", load,
					"stopped " + node.node()))
				.assertClean(0);
		}
	}

	@Test
	@Order(4)
	void aBrokerNodeFrozenFor20sLosesNothing() throws Exception {
		try (Scenario scenario = new Scenario(brokers, databases, 1, false)) {
			FaultBroker node = brokers.leaderOfMost(scenario.topology.shardQueues(), brokers.nodes.get(0));
			LoadGenerator load = scenario.load();
			freezeFor20s(node);
			load.close();
			record(scenario.verify("3. a RabbitMQ node frozen (SIGSTOP) for 20 s, then SIGCONT", load,
					"froze " + node.node() + ", the leader of the most shard queues"))
				.assertClean(0);
		}
	}

	@Test
	@Order(5)
	void theNodeThePublisherPublishesThroughFrozenFor20sLosesNothing() throws Exception {
		try (Scenario scenario = new Scenario(brokers, databases, 1, false)) {
			LoadGenerator load = scenario.load();
			FaultBroker node = brokers.nodeOfConnection(".publisher#", brokers.nodes.get(0));
			freezeFor20s(node);
			load.close();
			record(scenario.verify("3b. the RabbitMQ node the publisher publishes through frozen for 20 s", load,
					"froze " + node.node()))
				.assertClean(0);
		}
	}

	/**
	 * 3 s of load, the node frozen for 20 s, then the load goes on until the cluster is
	 * whole again, and 5 s more.
	 */
	private static void freezeFor20s(FaultBroker node) {
		Scenario.hold(Duration.ofSeconds(3));
		node.freeze();
		try {
			Scenario.hold(Duration.ofSeconds(20));
		}
		finally {
			node.thaw();
		}
		// Frozen past net_ticktime, the node comes back to a partition (its peers had
		// given it up), which pause_minority left standing in a run here; autoheal
		// restarts the losing side. The scenario lasts until the cluster is whole.
		brokers.awaitWhole();
		Scenario.hold(Duration.ofSeconds(5));
	}

	@Test
	@Order(6)
	void killingThePostgresqlPrimaryPromotesTheSynchronousStandbyAndLosesNothing() throws Exception {
		try (Scenario scenario = new Scenario(brokers, databases, 2, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			String killed = databases.killLeader();
			long start = System.nanoTime();
			await("a new PostgreSQL leader").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> databases.leader() != null && !killed.equals(databases.leader()));
			long failoverMillis = (System.nanoTime() - start) / 1_000_000;
			String promoted = databases.leader();
			Scenario.hold(Duration.ofSeconds(5));
			databases.restart(killed);
			databases.awaitHealthy();
			// The shard leases (advisory locks) went with the old primary; the consumers
			// take them again on the new one, each shard by exactly one.
			await("every shard leased again, once").atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> leasedShards(scenario.consumers), (held) -> held.equals(List.of(0, 1, 2, 3)));
			Scenario.hold(Duration.ofSeconds(3));
			load.close();
			record(scenario.verify("4. SIGKILL of the PostgreSQL primary (Patroni and postgres), two consumers", load,
					"killed " + killed + ", " + promoted + " promoted after " + failoverMillis
							+ " ms; the old primary rejoined as the standby; the consumers leased the 4 shards again"))
				.assertClean(0);
		}
	}

	@Test
	@Order(7)
	void aPlannedPostgresqlSwitchoverUnderLoadLosesNothing() throws Exception {
		try (Scenario scenario = new Scenario(brokers, databases, 1, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			String switched = databases.switchover();
			Scenario.hold(Duration.ofSeconds(10));
			databases.awaitHealthy();
			load.close();
			record(scenario.verify("5. planned PostgreSQL switchover (patronictl switchover) under load", load,
					switched))
				.assertClean(0);
		}
	}

	@Test
	@Order(8)
	void aRollingRestartOfTheThreeBrokersLosesNothing() throws Exception {
		try (Scenario scenario = new Scenario(brokers, databases, 1, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			long start = System.currentTimeMillis();
			for (FaultBroker node : brokers.nodes) {
				// As an upgrade does it: only when every quorum queue keeps its quorum
				// without this node, and with the node drained of clients and leaders.
				node.tool("rabbitmq-upgrade", "await_online_quorum_plus_one", "--timeout", "100");
				node.tool("rabbitmq-upgrade", "drain");
				node.stop();
				node.boot();
				node.tool("rabbitmq-upgrade", "revive");
			}
			long took = System.currentTimeMillis() - start;
			Scenario.hold(Duration.ofSeconds(5));
			load.close();
			record(scenario.verify("6. rolling restart of the 3 RabbitMQ nodes, one at a time", load,
					"drain, stop, start, revive each; " + took / 1000 + " s in all"))
				.assertClean(0);
		}
	}

	private static double rate(Broker broker, Database database, String name) throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 1, false)) {
			LoadGenerator load = scenario.load(16, Duration.ZERO);
			long from = System.currentTimeMillis() + 10_000;
			Scenario.hold(Duration.ofSeconds(30));
			long to = System.currentTimeMillis();
			load.close();
			long accepted = load.attempts.stream()
				.filter((attempt) -> attempt.status() == 200 && attempt.atMillis() >= from && attempt.atMillis() < to)
				.count();
			double rate = accepted * 1000.0 / (to - from);
			record(scenario.verify(name, load, String.format("%.0f sends/s", rate))).assertClean(0);
			return rate;
		}
	}

	/**
	 * The shards the consumers hold, as their {@code /actuator/shards} tell it, sorted.
	 */
	private static List<Integer> leasedShards(List<Tier> consumers) throws Exception {
		List<Integer> held = new ArrayList<>();
		for (Tier consumer : consumers) {
			HttpResponse<String> answer = http.send(HttpRequest.newBuilder(consumer.uri("/actuator/shards")).build(),
					HttpResponse.BodyHandlers.ofString());
			json.readTree(answer.body()).path("shards").forEach((shard) -> held.add(shard.asInt()));
		}
		held.sort(null);
		return held;
	}

	private static Outcome record(Outcome outcome) {
		outcomes.add(outcome);
		return outcome;
	}

}
