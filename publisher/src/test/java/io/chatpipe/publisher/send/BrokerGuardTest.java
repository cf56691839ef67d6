package io.chatpipe.publisher.send;

import java.time.Duration;
import java.util.Map;

import io.chatpipe.spring.activity.ActivityLogs;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerGuardTest {

	private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
		.slidingWindowSize(4)
		.minimumNumberOfCalls(4)
		.failureRateThreshold(50)
		.waitDurationInOpenState(Duration.ofMinutes(1))
		.recordException((ex) -> ex instanceof PublishFailedException failed && failed.brokerFault())
		.build());

	private final BrokerGuard guard = new BrokerGuard(this.breakers, properties(2), new CachingConnectionFactory(),
			new PublishStats(new SimpleMeterRegistry(), properties(2), new ActivityLogs()));

	@Test
	void publishesBeyondMaxInFlightAreShedUntilOneEnds() {
		Disposable first = this.guard.guard(Mono.never()).subscribe();
		Disposable second = this.guard.guard(Mono.never()).subscribe();

		StepVerifier.create(this.guard.guard(Mono.empty())).expectError(LoadSheddingException.class).verify();
		first.dispose();
		StepVerifier.create(this.guard.guard(Mono.empty())).verifyComplete();
		second.dispose();
	}

	@Test
	void brokerFaultsOpenTheBreakerAndThenSendsFailAtOnceWithoutPublishing() {
		for (int i = 0; i < 4; i++) {
			StepVerifier.create(this.guard.guard(Mono.error(new PublishFailedException("down", true, null))))
				.expectError(PublishFailedException.class)
				.verify();
		}
		assertThat(this.breakers.circuitBreaker("broker").getState()).isEqualTo(CircuitBreaker.State.OPEN);

		boolean[] tried = { false };
		StepVerifier.create(this.guard.guard(Mono.fromRunnable(() -> tried[0] = true)))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(PublishFailedException.class)
				.hasMessageContaining("circuit breaker open"))
			.verify();
		assertThat(tried[0]).isFalse();
	}

	@Test
	void aSendWatchesForABlockOnlyWhileItIsInFlight() {
		Disposable inFlight = this.guard.guard(Mono.never()).subscribe();
		assertThat(this.guard.sendsWatchingForABlock()).isOne();
		for (int i = 0; i < 1_000; i++) {
			StepVerifier.create(this.guard.guard(Mono.empty())).verifyComplete();
			StepVerifier.create(this.guard.guard(Mono.error(new PublishFailedException("no queue", false, null))))
				.expectError(PublishFailedException.class)
				.verify();
		}
		assertThat(this.guard.sendsWatchingForABlock()).isOne();
		inFlight.dispose();
		assertThat(this.guard.sendsWatchingForABlock()).isZero();
	}

	@Test
	void unroutableMessagesDoNotOpenTheBreaker() {
		for (int i = 0; i < 8; i++) {
			StepVerifier.create(this.guard.guard(Mono.error(new PublishFailedException("no queue", false, null))))
				.expectError(PublishFailedException.class)
				.verify();
		}
		assertThat(this.breakers.circuitBreaker("broker").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	private static SendProperties properties(int maxInFlight) {
		return new Binder(new MapConfigurationPropertySource(
				Map.of("chatpipe.publisher.max-in-flight", String.valueOf(maxInFlight))))
			.bindOrCreate("chatpipe.publisher", Bindable.of(SendProperties.class));
	}

}
