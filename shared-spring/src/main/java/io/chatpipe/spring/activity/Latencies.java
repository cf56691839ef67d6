package io.chatpipe.spring.activity;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The tiers' latency timers, all alike: each publishes a percentile histogram, so that
 * Prometheus can take any quantile across replicas ({@code histogram_quantile}).
 */
public final class Latencies {

	private Latencies() {
	}

	public static Timer timer(MeterRegistry registry, String name, String description) {
		return Timer.builder(name).description(description).publishPercentileHistogram().register(registry);
	}

}
