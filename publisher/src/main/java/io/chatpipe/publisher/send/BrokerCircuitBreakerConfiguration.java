package io.chatpipe.publisher.send;

import io.github.resilience4j.common.circuitbreaker.configuration.CircuitBreakerConfigCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The circuit breaker {@code broker} counts only the broker's own faults (unreachable,
 * nack, no confirm in time); an unroutable message says nothing about the broker's
 * health. Its thresholds are in application.yml
 * ({@code resilience4j.circuitbreaker.instances.broker}).
 */
@Configuration(proxyBeanMethods = false)
class BrokerCircuitBreakerConfiguration {

	@Bean
	CircuitBreakerConfigCustomizer brokerFaultsOnly() {
		return CircuitBreakerConfigCustomizer.of("broker", (builder) -> builder
			.recordException((ex) -> ex instanceof PublishFailedException failed && failed.brokerFault()));
	}

}
