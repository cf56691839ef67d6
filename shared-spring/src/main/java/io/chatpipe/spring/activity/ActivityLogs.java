package io.chatpipe.spring.activity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.context.SmartLifecycle;

/**
 * Runs each tier's one line of what it did, every interval the tier's properties give
 * ({@code chatpipe.<tier>.activity-log-interval}), on one thread of its own, and once
 * more when the tier stops, so the last interval is not lost from the log.
 */
public class ActivityLogs implements SmartLifecycle {

	private final List<Entry> entries = new ArrayList<>();

	private ScheduledExecutorService executor;

	/** Logs {@code line} every {@code interval}, from the start of the application. */
	public synchronized void every(Duration interval, Runnable line) {
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("An activity log interval must be positive, was " + interval);
		}
		Entry entry = new Entry(interval, line);
		this.entries.add(entry);
		if (this.executor != null) {
			schedule(entry);
		}
	}

	@Override
	public synchronized void start() {
		this.executor = Executors
			.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("activity-log").daemon().factory());
		this.entries.forEach(this::schedule);
	}

	@Override
	public synchronized void stop() {
		this.executor.shutdownNow();
		this.executor = null;
		this.entries.forEach((entry) -> entry.line().run());
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

	private void schedule(Entry entry) {
		long millis = entry.interval().toMillis();
		this.executor.scheduleAtFixedRate(entry.line(), millis, millis, TimeUnit.MILLISECONDS);
	}

	private record Entry(Duration interval, Runnable line) {
	}

}
