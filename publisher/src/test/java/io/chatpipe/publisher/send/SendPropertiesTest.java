package io.chatpipe.publisher.send;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class SendPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Bound.class);

	@Test
	void aPublishWindowIsOffUnlessSet() {
		this.runner.run((context) -> assertThat(context.getBean(SendProperties.class).publishWindow()).isZero());
	}

	@Test
	void aPublishWindowOfZeroOrMoreIsTaken() {
		this.runner.withPropertyValues("chatpipe.publisher.publish-window=10ms")
			.run((context) -> assertThat(context.getBean(SendProperties.class).publishWindow())
				.isEqualTo(Duration.ofMillis(10)));
	}

	@Test
	void aNegativePublishWindowStopsTheStartNamingTheProperty() {
		this.runner.withPropertyValues("chatpipe.publisher.publish-window=-5ms")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("chatpipe.publisher")
				.hasStackTraceContaining("publishWindow"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(SendProperties.class)
	static class Bound {

	}

}
