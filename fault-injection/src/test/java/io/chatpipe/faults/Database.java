package io.chatpipe.faults;

import java.util.Map;

/**
 * The PostgreSQL a scenario's tiers use: a cluster of the suite's own, or a primary with
 * a synchronous standby.
 */
interface Database {

	/** Creates a database for one scenario; returns its name. */
	String createDatabase(String name);

	/** A JDBC URL that reaches the primary's database of that name. */
	String jdbcUrl(String database);

	default Map<String, Object> springProperties(String database) {
		return Map.of("spring.datasource.url", jdbcUrl(database), "spring.datasource.username", "postgres",
				"spring.datasource.password", "");
	}

}
