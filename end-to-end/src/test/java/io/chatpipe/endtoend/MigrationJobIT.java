package io.chatpipe.endtoend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.chatpipe.testsupport.PostgresService;
import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer image as the Kubernetes migration Job runs it: migrate the schema, consume
 * nothing, exit 0.
 */
class MigrationJobIT {

	@Test
	void inMigrateOnlyModeTheConsumerMigratesAnEmptyDatabaseAndExitsZero() throws Exception {
		String database = TestServices.newDatabase();
		PostgresService postgres = TestServices.postgres();
		List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
				System.getProperty("chatpipe.consumer.jar")));
		ProcessBuilder job = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(
					Path.of(System.getProperty("chatpipe.logs", "target")).resolve("migrate-only.log").toFile());
		job.environment().put("CHATPIPE_CONSUMER_MIGRATE_ONLY", "true");
		job.environment().put("SPRING_MAIN_WEB_APPLICATION_TYPE", "none");
		job.environment().put("SPRING_DATASOURCE_URL", postgres.jdbcUrl(database));
		job.environment().put("SPRING_DATASOURCE_USERNAME", postgres.username());
		job.environment().put("SPRING_DATASOURCE_PASSWORD", postgres.password());
		// Nothing listens here: a migrate-only run must not need the broker at all.
		job.environment().put("SPRING_RABBITMQ_PORT", "1");
		Files.createDirectories(Path.of(System.getProperty("chatpipe.logs", "target")));

		Process process = job.start();
		assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the Job's process ends by itself").isTrue();
		assertThat(process.exitValue()).isZero();
		try (Connection connection = postgres.connect(database);
				ResultSet version = connection.createStatement()
					.executeQuery("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
			assertThat(version.next()).isTrue();
			assertThat(version.getString(1)).isEqualTo("1");
		}
	}

}
