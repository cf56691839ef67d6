package io.chatpipe.query.live;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * Counts the live readers of this replica, streams and waiting pulls, and holds them to
 * {@code chatpipe.query.live.max-subscribers}. Readiness never depends on it: a full
 * replica still serves plain pulls.
 */
@Component
public class Subscribers {

	private final int max;

	private final AtomicInteger total = new AtomicInteger();

	private final AtomicInteger streams = new AtomicInteger();

	private final AtomicInteger waits = new AtomicInteger();

	Subscribers(LiveProperties properties, MeterRegistry registry) {
		this.max = properties.maxSubscribers();
		gauge(registry, "stream", this.streams);
		gauge(registry, "wait", this.waits);
	}

	/** A stream's place; close it when the stream ends. */
	public Permit stream() {
		return take(this.streams);
	}

	/** A waiting pull's place; close it when the pull answers. */
	public Permit waitingPull() {
		return take(this.waits);
	}

	private Permit take(AtomicInteger kind) {
		if (this.total.incrementAndGet() > this.max) {
			this.total.decrementAndGet();
			throw new TooManySubscribersException(this.max);
		}
		kind.incrementAndGet();
		return new Permit(kind);
	}

	private static void gauge(MeterRegistry registry, String kind, AtomicInteger count) {
		Gauge.builder("chatpipe.query.live.subscribers", count, AtomicInteger::get)
			.tag("kind", kind)
			.description("Live readers this replica holds: streams, and pulls waiting for a message")
			.register(registry);
	}

	/** A live reader's place, given back once. */
	public final class Permit implements AutoCloseable {

		private final AtomicInteger kind;

		private final AtomicInteger held = new AtomicInteger(1);

		private Permit(AtomicInteger kind) {
			this.kind = kind;
		}

		@Override
		public void close() {
			if (this.held.getAndSet(0) == 1) {
				this.kind.decrementAndGet();
				Subscribers.this.total.decrementAndGet();
			}
		}

	}

}
