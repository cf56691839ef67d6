package io.chatpipe.query.live;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
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
		ChatWatch watch = this.watches.compute(chat, (key, existing) -> {
			ChatWatch held = (existing != null) ? existing : new ChatWatch();
			held.holders++;
			return held;
		});
		return new Watch(chat, watch);
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
				try {
					watch.wake();
				}
				catch (RuntimeException ex) {
					// A watcher's continuation runs on this thread; whatever it throws
					// must not cancel the ticker, which bounds every lost hint.
					logger.error("A live reader of chat {} failed on its wake-up", chat, ex);
				}
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

	private void release(String chat) {
		this.watches.computeIfPresent(chat, (key, watch) -> (--watch.holders == 0) ? null : watch);
	}

	/** A reader's watch of one chat. */
	public final class Watch implements AutoCloseable {

		private final String chat;

		private final ChatWatch watch;

		private Watch(String chat, ChatWatch watch) {
			this.chat = chat;
			this.watch = watch;
		}

		/**
		 * The chat's next wake-up: it completes at the first wake-up after this call, so
		 * take it before reading, and a wake-up during the read is not missed; then wait
		 * on it for {@link #patience}.
		 */
		public WakeUp next() {
			return this.watch.current.get();
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
			release(this.chat);
		}

	}

	/** The state of one watched chat, shared by its watchers. */
	private static final class ChatWatch {

		private final AtomicReference<WakeUp> current = new AtomicReference<>(new WakeUp(Sinks.empty(), 0));

		/** Guarded by the map's compute. */
		private int holders;

		private volatile long announced;

		void announce(long seq) {
			if (seq > this.announced) {
				this.announced = seq;
			}
		}

		void wake() {
			this.current.getAndUpdate((wakeUp) -> new WakeUp(Sinks.empty(), wakeUp.generation() + 1))
				.sink()
				.tryEmitEmpty();
		}

	}

	/**
	 * A chat's next wake-up.
	 *
	 * @param sink completes at it
	 * @param generation how many wake-ups the chat had before it: two readers that took
	 * the same generation saw the same wake-ups, so a read that one of them started after
	 * taking it serves the other as well
	 */
	public record WakeUp(Sinks.Empty<Void> sink, long generation) {

		/** Completes at the wake-up. */
		public Mono<Void> signal() {
			return this.sink.asMono();
		}

	}

}
