package io.chatpipe.spring.tracing;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * The {@link Spans} of every tier, on Spring Boot's tracer and propagator (W3C trace
 * context through the OpenTelemetry bridge); no-ops where tracing is off, as in the
 * tiers' Spring tests.
 */
@AutoConfiguration(after = MicrometerTracingAutoConfiguration.class,
		afterName = "org.springframework.boot.actuate.autoconfigure.tracing.OpenTelemetryTracingAutoConfiguration")
@ConditionalOnClass(Tracer.class)
public class TracingAutoConfiguration {

	@Bean
	Spans spans(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
		return new Spans(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
	}

}
