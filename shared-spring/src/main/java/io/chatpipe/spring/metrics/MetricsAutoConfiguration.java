package io.chatpipe.spring.metrics;

import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Bean;

/** The {@link ReadinessMetric} and {@link HttpLatencyBuckets} of every tier. */
@AutoConfiguration(after = HealthEndpointAutoConfiguration.class)
public class MetricsAutoConfiguration {

	@Bean
	@ConditionalOnBean(HealthEndpoint.class)
	ReadinessMetric readinessMetric(HealthEndpoint health) {
		return new ReadinessMetric(health);
	}

	@Bean
	HttpLatencyBuckets httpLatencyBuckets() {
		return new HttpLatencyBuckets();
	}

}
