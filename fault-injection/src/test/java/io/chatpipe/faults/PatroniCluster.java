package io.chatpipe.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.testsupport.Commands;
import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL as production runs it replicated: a primary and a synchronous standby,
 * managed by Patroni with etcd, on ports and in a folder of the suite's own. A commit
 * returns only once the standby has it ({@code synchronous_mode}), and Patroni promotes
 * only the synchronous standby, so a failover loses no acknowledged transaction. The
 * tiers reach the primary through PgJDBC's multi-host URL with
 * {@code targetServerType=primary}.
 */
final class PatroniCluster implements Database, AutoCloseable {

	private static final ObjectMapper json = new ObjectMapper();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final Path base;

	private final Path logs;

	private final int etcdPort;

	private final List<Member> members = new ArrayList<>();

	private final String patroni = Commands.find("Patroni", "/usr/bin/patroni");

	private final String patronictl = Commands.find("Patroni", "/usr/bin/patronictl");

	private final String etcd = Commands.find("etcd server", "/usr/bin/etcd");

	private final String binDir;

	private Process etcdProcess;

	/**
	 * @param logs the folder etcd's and each member's log go to (kept after the cluster
	 * is dropped)
	 * @param etcdPort etcd's client port; its peer port is the next one
	 * @param ports each member's PostgreSQL port; its REST API listens at this plus 3000
	 */
	PatroniCluster(Path logs, int etcdPort, int... ports) {
		// Not under the build's folder: PostgreSQL runs as postgres, and must reach its
		// data through every parent folder.
		this.base = Path.of(System.getProperty("java.io.tmpdir"), "chatpipe-faults-patroni");
		this.logs = logs;
		this.etcdPort = etcdPort;
		for (int i = 0; i < ports.length; i++) {
			this.members.add(new Member("pg" + (i + 1), ports[i], ports[i] + 3000));
		}
		String versions = Commands.run(Map.of(), "ls", "/usr/lib/postgresql").trim();
		this.binDir = "/usr/lib/postgresql/" + versions.lines().sorted().reduce((a, b) -> b).orElseThrow() + "/bin";
	}

	/** Starts etcd and every member, and waits for a leader and a synchronous standby. */
	void start() throws IOException {
		killLeftovers();
		Files.createDirectories(this.base);
		Files.createDirectories(this.logs);
		this.etcdProcess = new ProcessBuilder(this.etcd, "--name", "etcd1", "--data-dir",
				this.base.resolve("etcd").toString(), "--listen-client-urls", "http://127.0.0.1:" + this.etcdPort,
				"--advertise-client-urls", "http://127.0.0.1:" + this.etcdPort, "--listen-peer-urls",
				"http://127.0.0.1:" + (this.etcdPort + 1), "--initial-advertise-peer-urls",
				"http://127.0.0.1:" + (this.etcdPort + 1), "--initial-cluster",
				"etcd1=http://127.0.0.1:" + (this.etcdPort + 1))
			.directory(this.base.toFile())
			.redirectErrorStream(true)
			.redirectOutput(this.logs.resolve("etcd.log").toFile())
			.start();
		for (Member member : this.members) {
			Files.writeString(member.config(), config(member));
		}
		if (isRoot()) {
			// PostgreSQL refuses to run as root.
			Commands.run(Map.of(), "chown", "-R", "postgres:postgres", this.base.toString());
		}
		for (Member member : this.members) {
			member.process = launch(member);
			if (member == this.members.get(0)) {
				awaitOrTellWhy("a Patroni leader", () -> leader() != null);
			}
		}
		awaitHealthy();
	}

	/** Waits until there is a leader and a running synchronous standby. */
	void awaitHealthy() {
		awaitOrTellWhy("a Patroni leader and a synchronous standby",
				() -> roles().containsValue("sync_standby") && leader() != null);
	}

	/** Waits up to 3 minutes; on a timeout, the failure carries the end of each log. */
	private void awaitOrTellWhy(String what, Callable<Boolean> condition) {
		try {
			await(what).atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(condition);
		}
		catch (ConditionTimeoutException ex) {
			StringBuilder why = new StringBuilder(ex.getMessage());
			try (var files = Files.list(this.logs)) {
				for (Path log : files.sorted().toList()) {
					List<String> lines = Files.readAllLines(log);
					why.append("\n--- ").append(log.getFileName()).append(":\n");
					lines.subList(Math.max(0, lines.size() - 15), lines.size())
						.forEach((line) -> why.append(line).append('\n'));
				}
			}
			catch (IOException unreadable) {
				why.append("\n(logs unreadable: ").append(unreadable.getMessage()).append(')');
			}
			throw new IllegalStateException(why.toString(), ex);
		}
	}

	/** The member that leads now, or null. */
	String leader() {
		return roles().entrySet()
			.stream()
			.filter((entry) -> entry.getValue().equals("leader"))
			.map(Map.Entry::getKey)
			.findFirst()
			.orElse(null);
	}

	/** Each running member's role, as Patroni's REST API tells it. */
	Map<String, String> roles() {
		for (Member member : this.members) {
			try {
				HttpResponse<String> answer = this.http
					.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + member.restPort + "/cluster"))
						.timeout(Duration.ofSeconds(2))
						.build(), HttpResponse.BodyHandlers.ofString());
				JsonNode cluster = json.readTree(answer.body());
				List<JsonNode> running = new ArrayList<>();
				cluster.get("members").forEach((node) -> {
					String state = node.path("state").asText();
					if (state.equals("running") || state.equals("streaming")) {
						running.add(node);
					}
				});
				return running.stream()
					.collect(
							Collectors.toMap((node) -> node.get("name").asText(), (node) -> node.get("role").asText()));
			}
			catch (IOException down) {
				// ask the next
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return Map.of();
			}
		}
		return Map.of();
	}

	/**
	 * SIGKILLs the leader's Patroni and PostgreSQL: a lost host. Returns its name.
	 */
	String killLeader() throws IOException {
		Member leader = member(leader());
		String postmaster = Files.readAllLines(leader.dataDir().resolve("postmaster.pid")).get(0).trim();
		Commands.run(Map.of(), "kill", "-KILL", String.valueOf(leader.process.pid()), postmaster);
		return leader.name;
	}

	/** Starts a member's Patroni again: it rejoins as a standby (rewound if need be). */
	void restart(String name) throws IOException {
		Member member = member(name);
		member.process = launch(member);
	}

	/** A planned switchover to the synchronous standby. */
	String switchover() {
		String leader = leader();
		String candidate = roles().entrySet()
			.stream()
			.filter((entry) -> entry.getValue().equals("sync_standby"))
			.map(Map.Entry::getKey)
			.findFirst()
			.orElseThrow();
		Commands.run(Map.of(), this.patronictl, "-c", member(leader).config().toString(), "switchover", "--leader",
				leader, "--candidate", candidate, "--force");
		return leader + " -> " + candidate;
	}

	@Override
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://"
				+ this.members.stream().map((member) -> "127.0.0.1:" + member.port).collect(Collectors.joining(","))
				+ "/" + database + "?targetServerType=primary";
	}

	private Member member(String name) {
		return this.members.stream().filter((member) -> member.name.equals(name)).findFirst().orElseThrow();
	}

	private Process launch(Member member) throws IOException {
		List<String> command = new ArrayList<>();
		if (isRoot()) {
			command.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
		}
		command.addAll(List.of(this.patroni, member.config().toString()));
		// Started in the cluster's own folder: PostgreSQL, running as postgres, cannot
		// start
		// in a working directory it may not enter (such as CI's private clone).
		return new ProcessBuilder(command).directory(this.base.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.logs.resolve(member.name + ".log").toFile()))
			.start();
	}

	private String config(Member member) {
		return """
				scope: chatpipe-faults
				name: %1$s
				restapi:
				  listen: 127.0.0.1:%3$d
				  connect_address: 127.0.0.1:%3$d
				etcd3:
				  hosts: 127.0.0.1:%4$d
				bootstrap:
				  dcs:
				    # A lost leader is replaced within about ttl seconds.
				    ttl: 10
				    loop_wait: 2
				    retry_timeout: 4
				    # Commits wait for the standby, and only the synchronous standby is promoted.
				    synchronous_mode: true
				    postgresql:
				      use_pg_rewind: true
				      parameters:
				        wal_log_hints: "on"
				  initdb:
				    - encoding: UTF8
				    - auth: trust
				postgresql:
				  listen: 127.0.0.1:%2$d
				  connect_address: 127.0.0.1:%2$d
				  data_dir: %5$s
				  bin_dir: %6$s
				  pgpass: %7$s
				  remove_data_directory_on_rewind_failure: true
				  pg_hba:
				    - local all all trust
				    - host all all 127.0.0.1/32 trust
				    - host replication all 127.0.0.1/32 trust
				  authentication:
				    superuser:
				      username: postgres
				    replication:
				      username: postgres
				    rewind:
				      username: postgres
				  parameters:
				    unix_socket_directories: %8$s
				""".formatted(member.name, member.port, member.restPort, this.etcdPort, member.dataDir(), this.binDir,
				this.base.resolve(member.name + ".pgpass"), this.base);
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	/** Kills what a run that was itself killed left behind, and drops its data. */
	private void killLeftovers() {
		try {
			Commands.run(Map.of(), "pkill", "-KILL", "-f", this.base.toString());
		}
		catch (IllegalStateException nothingLeft) {
			// pkill exits 1 when nothing matched
		}
		Commands.run(Map.of(), "rm", "-rf", this.base.toString());
	}

	@Override
	public void close() {
		for (Member member : this.members) {
			if (member.process != null) {
				member.process.destroy(); // SIGTERM: Patroni stops its PostgreSQL
			}
		}
		for (Member member : this.members) {
			if (member.process != null) {
				try {
					member.process.waitFor(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}
		if (this.etcdProcess != null) {
			this.etcdProcess.destroy();
		}
		killLeftovers();
	}

	private final class Member {

		final String name;

		final int port;

		final int restPort;

		Process process;

		Member(String name, int port, int restPort) {
			this.name = name;
			this.port = port;
			this.restPort = restPort;
		}

		Path config() {
			return PatroniCluster.this.base.resolve(this.name + ".yml");
		}

		Path dataDir() {
			return PatroniCluster.this.base.resolve(this.name);
		}

	}

}
