package io.chatpipe.spring.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;

/**
 * {@code chatpipe.ready}: 1 while the tier's {@code readiness} health group is UP (the
 * group its Kubernetes readiness probe reads: its broker, database, schema or shard
 * count, as each tier's {@code application.yml} includes them), else 0. Read at each
 * scrape, which the actuator runs off the event loop.
 */
class ReadinessMetric implements MeterBinder {

	static final String GROUP = "readiness";

	private final HealthEndpoint health;

	ReadinessMetric(HealthEndpoint health) {
		this.health = health;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("chatpipe.ready", this, (metric) -> metric.ready() ? 1 : 0)
			.description("1 while this instance's readiness group is UP (it takes traffic), 0 while it is not")
			.register(registry);
	}

	boolean ready() {
		HealthComponent readiness = this.health.healthForPath(GROUP);
		return readiness != null && Status.UP.equals(readiness.getStatus());
	}

}
