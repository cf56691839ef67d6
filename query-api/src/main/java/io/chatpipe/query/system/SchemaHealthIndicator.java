package io.chatpipe.query.system;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Readiness follows the schema: the query API never migrates it (the consumer does), so
 * it reports DOWN, saying what to do, while the schema is missing or older than this
 * version reads.
 */
@Component("schema")
class SchemaHealthIndicator implements HealthIndicator {

	/**
	 * The oldest schema version (the consumer's Flyway migrations) this query API can
	 * read.
	 */
	static final int REQUIRED_VERSION = 1;

	private static final String CURRENT_VERSION = """
			SELECT version FROM flyway_schema_history
			WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1""";

	private final JdbcTemplate jdbc;

	SchemaHealthIndicator(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public Health health() {
		String version;
		try {
			version = this.jdbc.query(CURRENT_VERSION, (rows) -> rows.next() ? rows.getString(1) : null);
		}
		catch (BadSqlGrammarException ex) {
			return missing();
		}
		catch (DataAccessException ex) {
			return Health.down(ex).build();
		}
		if (version == null) {
			return missing();
		}
		int major = Integer.parseInt(version.split("\\.")[0]);
		if (major < REQUIRED_VERSION) {
			return Health.down()
				.withDetail("version", version)
				.withDetail("required", REQUIRED_VERSION)
				.withDetail("action",
						"The schema is older than this query API reads: deploy the new consumer first"
								+ " (it migrates the schema), then this query API.")
				.build();
		}
		return Health.up().withDetail("version", version).withDetail("required", REQUIRED_VERSION).build();
	}

	private static Health missing() {
		return Health.down()
			.withDetail("required", REQUIRED_VERSION)
			.withDetail("action", "The chatpipe schema is missing from this database: start the consumer once"
					+ " (it runs the Flyway migrations), or point spring.datasource.url at the consumer's database.")
			.build();
	}

}
