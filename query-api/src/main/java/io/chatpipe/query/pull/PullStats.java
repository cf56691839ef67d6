package io.chatpipe.query.pull;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.chatpipe.spring.activity.ActivityLogs;
import io.chatpipe.spring.activity.Latencies;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * What the query API did: {@code chatpipe_query_page_read_seconds} and one log line a
 * minute.
 */
@Component
class PullStats {

	private static final Logger logger = LoggerFactory.getLogger(PullStats.class);

	private final Timer reads;

	private final LongAdder messages = new LongAdder();

	private long loggedReads;

	private long loggedMessages;

	PullStats(MeterRegistry registry, PullProperties properties, ActivityLogs activityLogs) {
		this.reads = Latencies.timer(registry, "chatpipe.query.page.read",
				"Time to read one page from PostgreSQL, including the wait for a read thread");
		activityLogs.every(properties.activityLogInterval(), this::logActivity);
	}

	void record(long startNanos, Page page) {
		this.reads.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
		this.messages.add(page.messages().size());
	}

	synchronized void logActivity() {
		long nowReads = this.reads.count();
		long nowMessages = this.messages.sum();
		logger.info("Served {} pages with {} messages; page read max {} ms", nowReads - this.loggedReads,
				nowMessages - this.loggedMessages, (long) this.reads.max(TimeUnit.MILLISECONDS));
		this.loggedReads = nowReads;
		this.loggedMessages = nowMessages;
	}

}
