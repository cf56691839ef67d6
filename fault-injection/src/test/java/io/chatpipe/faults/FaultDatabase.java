package io.chatpipe.faults;

import java.util.Map;

import io.chatpipe.testsupport.Commands;

/**
 * A PostgreSQL cluster of the suite's own ({@code pg_createcluster … chatpipe_faults},
 * its own port, trust auth), so stopping it never disturbs any other database on the
 * machine. Dropped when the suite ends.
 */
final class FaultDatabase implements Database, AutoCloseable {

	static final String CLUSTER = "chatpipe_faults";

	private final int port;

	private final String version;

	private final String ctl = Commands.find("PostgreSQL cluster", "/usr/bin/pg_ctlcluster");

	FaultDatabase(int port) {
		this.port = port;
		Commands.find("PostgreSQL cluster", "/usr/bin/pg_createcluster");
		String versions = Commands.run(Map.of(), "ls", "/etc/postgresql").trim();
		this.version = versions.lines().sorted().reduce((a, b) -> b).orElseThrow();
	}

	void create() {
		drop(); // a cluster left over by a run that was killed
		Commands.run(Map.of(), "pg_createcluster", this.version, CLUSTER, "-p", String.valueOf(this.port), "--",
				"--auth=trust");
		start();
	}

	void start() {
		Commands.run(Map.of(), this.ctl, "--skip-systemctl-redirect", this.version, CLUSTER, "start");
	}

	/**
	 * Stops the server (fast shutdown: connections are cut, nothing committed is lost).
	 */
	void stop() {
		Commands.run(Map.of(), this.ctl, "--skip-systemctl-redirect", this.version, CLUSTER, "stop", "-m", "fast");
	}

	@Override
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	private void drop() {
		try {
			Commands.run(Map.of(), "pg_dropcluster", "--stop", this.version, CLUSTER);
		}
		catch (IllegalStateException absent) {
			// nothing to drop
		}
	}

	@Override
	public void close() {
		drop();
	}

}
