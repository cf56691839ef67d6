package io.chatpipe.query.pull;

import java.time.Duration;

import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a database the consumer never migrated, the query API starts, creates nothing, and
 * says so through readiness.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SchemaMissingIT {

	static final String database = TestServices.newDatabase();

	@Autowired
	WebTestClient client;

	@Autowired
	JdbcTemplate jdbc;

	/**
	 * The context's first pull runs code the JVM has not compiled yet, which on a loaded
	 * machine took over WebTestClient's default 5 s: this class asserts what is answered,
	 * not how fast (see PullIT).
	 */
	@BeforeEach
	void patientClient() {
		this.client = this.client.mutate().responseTimeout(Duration.ofSeconds(30)).build();
	}

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.postgresProperties(database));
	}

	@Test
	void readinessIsDownSayingWhatToDoAndLivenessIsUp() {
		this.client.get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectBody()
			.jsonPath("$.components.schema.status")
			.isEqualTo("DOWN")
			.jsonPath("$.components.schema.details.action")
			.value((action) -> assertThat((String) action).contains("start the consumer"));
		this.client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
	}

	@Test
	void theQueryApiNeverCreatesTheSchema() {
		this.client.get().uri("/api/pull?chat=a:b").exchange().expectStatus().isEqualTo(503);
		assertThat(this.jdbc
			.queryForObject("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", Long.class))
			.isZero();
	}

}
