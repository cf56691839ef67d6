package io.chatpipe.consumer.shard;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;

/**
 * Shard leases as PostgreSQL session advisory locks, on one connection of their own (not
 * the pool's). A replica is a member while it holds a member lock, and owns a shard while
 * it holds that shard's lock; both go with the session, so a replica that dies or loses
 * its connection frees its shards by itself. Lock keys are scoped by the topology's
 * prefix, so several topologies can share one database.
 */
final class ShardLeases implements AutoCloseable {

	private static final String VIEW = """
			SELECT classid::bigint, objid::bigint, pid FROM pg_locks
			WHERE locktype = 'advisory' AND objsubid = 2 AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND classid IN (%d, %d)""";

	private final DataSourceProperties dataSource;

	private final int membersKey;

	private final int shardsKey;

	private final int shards;

	private Connection connection;

	private int member;

	private int pid;

	ShardLeases(DataSourceProperties dataSource, String prefix, int shards) {
		this.dataSource = dataSource;
		this.membersKey = ShardLeaseKeys.members(prefix);
		this.shardsKey = ShardLeaseKeys.shards(prefix);
		this.shards = shards;
	}

	/**
	 * Connects and takes a member lock, unless connected already.
	 * @return whether this is a new session (which holds no shard lock yet)
	 */
	boolean join() throws SQLException {
		if (this.connection != null) {
			return false;
		}
		Properties properties = new Properties();
		properties.setProperty("user", this.dataSource.determineUsername());
		String password = this.dataSource.determinePassword();
		if (password != null) {
			properties.setProperty("password", password);
		}
		properties.setProperty("ApplicationName", "chatpipe-consumer-shard-leases");
		properties.setProperty("connectTimeout", "5");
		properties.setProperty("socketTimeout", "15");
		properties.setProperty("tcpKeepAlive", "true");
		Connection opened = DriverManager.getConnection(this.dataSource.determineUrl(), properties);
		try {
			int candidate;
			do {
				candidate = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
			}
			while (!tryLock(opened, this.membersKey, candidate));
			this.pid = queryInt(opened, "SELECT pg_backend_pid()");
			this.member = candidate;
			this.connection = opened;
			return true;
		}
		catch (SQLException ex) {
			opened.close();
			throw ex;
		}
	}

	/** This replica's member key, or 0 before it joined. */
	int member() {
		return this.member;
	}

	/** Who holds what, as PostgreSQL sees it now. */
	View view() throws SQLException {
		Map<Integer, Integer> memberOfPid = new HashMap<>();
		Map<Integer, Set<Integer>> shardsOfPid = new HashMap<>();
		try (PreparedStatement statement = this.connection
			.prepareStatement(VIEW.formatted(this.membersKey, this.shardsKey));
				ResultSet rows = statement.executeQuery()) {
			while (rows.next()) {
				long key = rows.getLong(1);
				int object = (int) rows.getLong(2);
				int lockPid = rows.getInt(3);
				if (key == this.membersKey) {
					memberOfPid.put(lockPid, object);
				}
				else if (object >= 0 && object < this.shards) {
					shardsOfPid.computeIfAbsent(lockPid, (ignored) -> new HashSet<>()).add(object);
				}
			}
		}
		Map<Integer, Integer> held = new HashMap<>();
		Set<Integer> taken = new HashSet<>();
		memberOfPid
			.forEach((lockPid, memberKey) -> held.put(memberKey, shardsOfPid.getOrDefault(lockPid, Set.of()).size()));
		shardsOfPid.values().forEach(taken::addAll);
		Set<Integer> mine = new HashSet<>(shardsOfPid.getOrDefault(this.pid, Set.of()));
		return new View(held, mine, this.shards - taken.size(), taken);
	}

	boolean tryAcquire(int shard) throws SQLException {
		return tryLock(this.connection, this.shardsKey, shard);
	}

	void release(int shard) throws SQLException {
		try (PreparedStatement statement = this.connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
			statement.setInt(1, this.shardsKey);
			statement.setInt(2, shard);
			statement.executeQuery().close();
		}
	}

	/** Drops the session, and with it every lock it held. */
	@Override
	public void close() {
		if (this.connection != null) {
			try {
				this.connection.close();
			}
			catch (SQLException ex) {
				// the session is gone either way
			}
			this.connection = null;
			this.member = 0;
		}
	}

	private static boolean tryLock(Connection connection, int key, int object) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
			statement.setInt(1, key);
			statement.setInt(2, object);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getBoolean(1);
			}
		}
	}

	private static int queryInt(Connection connection, String sql) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql);
				ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getInt(1);
		}
	}

	/**
	 * Who holds what.
	 *
	 * @param held how many shards each member holds, by member key
	 * @param mine the shards this session holds
	 * @param free how many shards nobody holds
	 * @param taken the shards somebody holds
	 */
	record View(Map<Integer, Integer> held, Set<Integer> mine, int free, Set<Integer> taken) {
	}

}
