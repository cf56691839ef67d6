package io.chatpipe.faults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The PostgreSQL a scenario's tiers use: a cluster of the suite's own, or a primary with
 * a synchronous standby.
 */
interface Database {

	/** Creates a database for one scenario, on the primary; returns its name. */
	default String createDatabase(String name) {
		try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
			return name;
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A JDBC URL that reaches the primary's database of that name. */
	String jdbcUrl(String database);

	default Map<String, Object> springProperties(String database) {
		return Map.of("spring.datasource.url", jdbcUrl(database), "spring.datasource.username", "postgres",
				"spring.datasource.password", "");
	}

}
