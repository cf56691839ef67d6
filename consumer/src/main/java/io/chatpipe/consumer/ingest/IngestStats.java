package io.chatpipe.consumer.ingest;

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
 * What the consumer did: Prometheus meters
 * ({@code chatpipe_consumer_messages_total{outcome}},
 * {@code chatpipe_consumer_batch_seconds}, {@code chatpipe_consumer_persist_lag_seconds})
 * and one log line every {@code activity-log-interval}.
 */
@Component
class IngestStats {

	private static final Logger logger = LoggerFactory.getLogger(IngestStats.class);

	private final LongAdder stored = new LongAdder();

	private final LongAdder duplicates = new LongAdder();

	private final LongAdder deadLettered = new LongAdder();

	private final LongAdder batches = new LongAdder();

	private final Timer batchTimer;

	private final Timer persistLag;

	private long loggedStored;

	private long loggedDuplicates;

	private long loggedDeadLettered;

	private long loggedBatches;

	IngestStats(MeterRegistry registry, IngestProperties properties, ActivityLogs activityLogs) {
		outcome(registry, "stored", this.stored);
		outcome(registry, "duplicate", this.duplicates);
		outcome(registry, "dead_lettered", this.deadLettered);
		this.batchTimer = Latencies.timer(registry, "chatpipe.consumer.batch",
				"Time to store one batch, from decode to ack");
		this.persistLag = Latencies.timer(registry, "chatpipe.consumer.persist.lag",
				"From the publisher's accept to the commit that stored the message");
		activityLogs.every(properties.activityLogInterval(), this::logActivity);
	}

	void recordBatch(long startNanos, StoreOutcome outcome, int poisonCount) {
		long now = System.currentTimeMillis();
		this.batches.increment();
		this.batchTimer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
		this.stored.add(outcome.stored().size());
		this.duplicates.add(outcome.duplicates());
		this.deadLettered.add(poisonCount);
		outcome.stored()
			.forEach((message) -> this.persistLag.record(Math.max(0, now - message.acceptedAtMillis()),
					TimeUnit.MILLISECONDS));
	}

	synchronized void logActivity() {
		long nowStored = this.stored.sum();
		long nowDuplicates = this.duplicates.sum();
		long nowDeadLettered = this.deadLettered.sum();
		long nowBatches = this.batches.sum();
		logger.info("Stored {} messages in {} batches, skipped {} duplicates, dead-lettered {}; persist lag max {} ms",
				nowStored - this.loggedStored, nowBatches - this.loggedBatches, nowDuplicates - this.loggedDuplicates,
				nowDeadLettered - this.loggedDeadLettered, (long) this.persistLag.max(TimeUnit.MILLISECONDS));
		this.loggedStored = nowStored;
		this.loggedDuplicates = nowDuplicates;
		this.loggedDeadLettered = nowDeadLettered;
		this.loggedBatches = nowBatches;
	}

	private static void outcome(MeterRegistry registry, String outcome, LongAdder adder) {
		FunctionCounter.builder("chatpipe.consumer.messages", adder, LongAdder::sum)
			.description("Messages taken off the shard queues, by what became of them")
			.tag("outcome", outcome)
			.register(registry);
	}

}
