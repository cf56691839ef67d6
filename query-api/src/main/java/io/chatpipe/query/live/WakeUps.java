package io.chatpipe.query.live;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The live readers' wake-ups, by chat. A reader {@linkplain #watch watches} its chat
 * while it lives; the wake-up bus {@linkplain #wake wakes} the watchers of each chat a
 * consumer stored in. A wake-up is only a hint to read the database again, so this
 * replica also wakes every watched chat on its own: every {@code fallback-interval} while
 * the bus is down, and every {@code recheck-interval} while it is up, a slice of the
 * chats each {@code fallback-interval} so that the re-reads spread out. One ticker for
 * the replica, not a timer for each reader: with 10,000 streams those timers, made anew
 * at every wake-up, were most of what each young collection had to copy.
 * <p>
 * A stream {@linkplain #follow follows} its chat with a callback that every wake-up runs,
 * so that nothing is made for it between two wake-ups; a long-poll, which lives seconds,
 * {@linkplain #watch watches} with a one-shot signal made only when it asks for one.
 */
@Component
public class WakeUps implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(WakeUps.class);

	private final ConcurrentHashMap<String, ChatWatch> watches = new ConcurrentHashMap<>();

	private final LiveProperties properties;

	private volatile boolean busUp;

	private final ScheduledExecutorService ticker = Executors
		.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("live-recheck").daemon().factory());

	/** How many ticks (of the fallback interval) one recheck interval spans. */
	private final long slices;

	private long ticks;

	WakeUps(LiveProperties properties, MeterRegistry registry) {
		this.properties = properties;
		this.slices = Math.max(1, properties.recheckInterval().toMillis() / properties.fallbackInterval().toMillis());
		long tick = properties.fallbackInterval().toMillis();
		this.ticker.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
		Gauge.builder("chatpipe.query.live.bus.up", () -> this.busUp ? 1 : 0)
			.description("1 while this replica hears the consumers' stored notices, 0 while its readers poll instead")
			.register(registry);
		Gauge.builder("chatpipe.query.live.chats", this.watches::size)
			.description("Chats that at least one live reader of this replica watches")
			.register(registry);
	}

	/** Starts watching a chat; close the watch when the reader goes. */
	public Watch watch(String chat) {
		return new Watch(chat, hold(chat), null);
	}

	/**
	 * Starts following a chat: {@code onWakeUp} runs at each of its wake-ups, on the
	 * thread that wakes it (the bus's listener or the ticker), so it must be quick and
	 * must not block. Close the watch when the reader goes.
	 */
	public Watch follow(String chat, Runnable onWakeUp) {
		ChatWatch watch = hold(chat);
		watch.followers.add(onWakeUp);
		return new Watch(chat, watch, onWakeUp);
	}

	private ChatWatch hold(String chat) {
		return this.watches.compute(chat, (key, existing) -> {
			ChatWatch held = (existing != null) ? existing : new ChatWatch();
			held.holders++;
			return held;
		});
	}

	/** Wakes the watchers of a chat in which a consumer stored up to {@code seq}. */
	void wake(String chat, long seq) {
		ChatWatch watch = this.watches.get(chat);
		if (watch != null) {
			watch.announce(seq);
			watch.wake();
		}
	}

	/** Wakes every watcher: they read, and wait again as the bus's state now says. */
	void wakeAll() {
		this.watches.values().forEach(ChatWatch::wake);
	}

	/**
	 * Every fallback interval: with the bus down, every watched chat; with it up, the
	 * chats of this tick's slice, so that each is woken once a recheck interval.
	 */
	private void tick() {
		long slice = this.ticks++ % this.slices;
		boolean all = !this.busUp;
		this.watches.forEach((chat, watch) -> {
			if (all || Math.floorMod(chat.hashCode(), this.slices) == slice) {
				watch.wake();
			}
		});
	}

	@Override
	public void destroy() {
		this.ticker.shutdownNow();
	}

	void busUp(boolean up) {
		boolean changed = this.busUp != up;
		this.busUp = up;
		if (changed && !up) {
			wakeAll();
		}
	}

	boolean busUp() {
		return this.busUp;
	}

	/** How soon a reader reads again when it cannot rely on wake-ups. */
	public Duration fallbackInterval() {
		return this.properties.fallbackInterval();
	}

	private void release(String chat, ChatWatch watch, Runnable follower) {
		if (follower != null) {
			watch.followers.remove(follower);
		}
		this.watches.computeIfPresent(chat, (key, held) -> (--held.holders == 0) ? null : held);
	}

	/** A reader's watch of one chat. */
	public final class Watch implements AutoCloseable {

		private final String chat;

		private final ChatWatch watch;

		private final Runnable follower;

		private Watch(String chat, ChatWatch watch, Runnable follower) {
			this.chat = chat;
			this.watch = watch;
			this.follower = follower;
		}

		/**
		 * The chat's next wake-up: it completes at the first wake-up after this call, so
		 * take it before reading, and a wake-up during the read is not missed; then wait
		 * on it for {@link #patience}.
		 */
		public Mono<Void> next() {
			return this.watch.next();
		}

		/**
		 * How long a reader that wants {@code nextSeq} waits for a wake-up before it
		 * reads anyway, or null to wait for the next wake-up however long (the replica's
		 * ticker bounds it: a fallback interval while the bus is down, a recheck interval
		 * while it is up). The fallback interval while a higher seq was announced than
		 * the database showed (a standby that lags: a gap is "not yet").
		 */
		public Duration patience(long nextSeq) {
			return (this.watch.announced >= nextSeq) ? WakeUps.this.properties.fallbackInterval() : null;
		}

		@Override
		public void close() {
			release(this.chat, this.watch, this.follower);
		}

	}

	/** The state of one watched chat, shared by its watchers. */
	private static final class ChatWatch {

		/** The long-polls' next wake-up, made when one asks for it. */
		private final AtomicReference<Sinks.Empty<Void>> next = new AtomicReference<>();

		/** The streams' callbacks. */
		private final CopyOnWriteArrayList<Runnable> followers = new CopyOnWriteArrayList<>();

		/** Guarded by the map's compute. */
		private int holders;

		private volatile long announced;

		void announce(long seq) {
			if (seq > this.announced) {
				this.announced = seq;
			}
		}

		Mono<Void> next() {
			Sinks.Empty<Void> next = this.next.get();
			while (next == null) {
				Sinks.Empty<Void> made = Sinks.empty();
				next = this.next.compareAndSet(null, made) ? made : this.next.get();
			}
			return next.asMono();
		}

		/**
		 * Runs the watchers' continuations on this thread; whatever one throws is logged
		 * and must not keep the others from their wake-up, nor cancel the ticker, which
		 * bounds every lost hint.
		 */
		void wake() {
			Sinks.Empty<Void> waiting = this.next.getAndSet(null);
			if (waiting != null) {
				run(waiting::tryEmitEmpty);
			}
			for (Runnable follower : this.followers) {
				run(follower);
			}
		}

		private static void run(Runnable continuation) {
			try {
				continuation.run();
			}
			catch (RuntimeException ex) {
				logger.error("A live reader failed on its wake-up", ex);
			}
		}

	}

}
