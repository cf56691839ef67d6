package io.chatpipe.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedactionTest {

	@Test
	void theCredentialsOfEveryUriLoseTheirPassword() {
		assertThat(Redaction.redact("--uri amqp://chatpipe:s3cr:et@broker:5672/vhost and postgresql://u:p@db/chatpipe"))
			.isEqualTo("--uri amqp://chatpipe:***@broker:5672/vhost and postgresql://u:***@db/chatpipe");
	}

	@Test
	void aUriWithoutAPasswordIsLeftAsItIs() {
		assertThat(Redaction.redact("amqp://broker:5672 jdbc:postgresql://db:5432/chatpipe"))
			.isEqualTo("amqp://broker:5672 jdbc:postgresql://db:5432/chatpipe");
	}

	@Test
	void aServiceNeverShowsItsPassword() {
		assertThat(new RabbitService("broker", 5672, "chatpipe", "s3cret", "/", "test").toString())
			.doesNotContain("s3cret")
			.contains("chatpipe");
		assertThat(new PostgresService("db", 5432, "chatpipe", "s3cret", "postgres", "test").toString())
			.doesNotContain("s3cret");
	}

}
