package io.chatpipe.consumer.system;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

/**
 * With {@code chatpipe.consumer.migrate-only=true} the consumer image is the migration
 * Job: Flyway migrates the schema during start-up, nothing is consumed, and the process
 * exits 0 (or fails the Job when a migration fails).
 */
@Component
@ConditionalOnProperty(name = "chatpipe.consumer.migrate-only", havingValue = "true")
class MigrateOnlyRunner implements ApplicationRunner {

	private static final Logger logger = LoggerFactory.getLogger(MigrateOnlyRunner.class);

	private final ConfigurableApplicationContext context;

	private final Flyway flyway;

	MigrateOnlyRunner(ConfigurableApplicationContext context, Flyway flyway) {
		this.context = context;
		this.flyway = flyway;
	}

	@Override
	public void run(ApplicationArguments arguments) {
		logger.info("Migrate-only: the schema is at version {}; exiting",
				this.flyway.info().current().getVersion().getVersion());
		System.exit(SpringApplication.exit(this.context, () -> 0));
	}

}
