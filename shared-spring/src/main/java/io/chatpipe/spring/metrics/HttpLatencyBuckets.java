package io.chatpipe.spring.metrics;

import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Gives {@code http.server.requests} a fixed set of latency buckets, so that Prometheus
 * can compute any percentile of sends and pulls across replicas
 * ({@code histogram_quantile}), at 14 series an endpoint and status instead of the 70-odd
 * of a full percentile histogram. They span a fast pull (1 ms) to the longest long-poll
 * (60 s).
 */
class HttpLatencyBuckets implements MeterFilter {

	static final String METER = "http.server.requests";

	/** The buckets' upper bounds in microseconds. */
	static final long[] BUCKETS_MICROS = { 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
			1_000_000, 2_500_000, 5_000_000, 25_000_000, 60_000_000 };

	/** As Micrometer takes a timer's buckets: nanoseconds. */
	private static final double[] BUCKETS = LongStream.of(BUCKETS_MICROS)
		.mapToDouble((micros) -> TimeUnit.MICROSECONDS.toNanos(micros))
		.toArray();

	@Override
	public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
		if (!METER.equals(id.getName())) {
			return config;
		}
		return DistributionStatisticConfig.builder().serviceLevelObjectives(BUCKETS).build().merge(config);
	}

}
