package io.chatpipe.publisher.send;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.chatpipe.spring.activity.ActivityLogs;
import io.chatpipe.spring.activity.Latencies;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * What the publisher did: {@code chatpipe_publisher_publishes_total{result}},
 * {@code chatpipe_publisher_confirm_seconds} and one log line every
 * {@code activity-log-interval}.
 */
@Component
class PublishStats {

	/** How a publish ended. */
	enum Result {

		CONFIRMED, NACKED, RETURNED, TIMEOUT, UNREACHABLE,

		/**
		 * Refused before publishing: the broker blocks publishes, or the circuit breaker
		 * is open.
		 */
		REFUSED,

		/** Answered 429: too many publishes in flight. */
		SHED

	}

	private static final Logger logger = LoggerFactory.getLogger(PublishStats.class);

	private final Map<Result, LongAdder> counts = new EnumMap<>(Result.class);

	private final Map<Result, Long> logged = new EnumMap<>(Result.class);

	private final Timer confirmTimer;

	PublishStats(MeterRegistry registry, SendProperties properties, ActivityLogs activityLogs) {
		for (Result result : Result.values()) {
			LongAdder adder = new LongAdder();
			this.counts.put(result, adder);
			this.logged.put(result, 0L);
			FunctionCounter.builder("chatpipe.publisher.publishes", adder, LongAdder::sum)
				.description("Publishes by how they ended")
				.tag("result", result.name().toLowerCase())
				.register(registry);
		}
		this.confirmTimer = Latencies.timer(registry, "chatpipe.publisher.confirm",
				"From handing a message to the broker client to the broker's confirm");
		activityLogs.every(properties.activityLogInterval(), this::logActivity);
	}

	void record(Result result, long startNanos) {
		this.counts.get(result).increment();
		if (result == Result.CONFIRMED) {
			this.confirmTimer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
		}
	}

	synchronized void logActivity() {
		StringBuilder line = new StringBuilder("Published");
		for (Result result : Result.values()) {
			long now = this.counts.get(result).sum();
			line.append(' ').append(result.name().toLowerCase()).append('=').append(now - this.logged.get(result));
			this.logged.put(result, now);
		}
		logger.info("{}; confirm max {} ms", line, (long) this.confirmTimer.max(TimeUnit.MILLISECONDS));
	}

}
