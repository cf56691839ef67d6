package io.chatpipe.query.pull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Schedulers;

/**
 * One stream's place in its chat: the next seq it sends, read from the database at each
 * wake-up of the chat and pushed to the stream. Between two wake-ups it holds nothing but
 * that place: no operator chain, no timer. It reads only when the stream has taken
 * everything it was given, so a slow reader holds at most one page.
 * <p>
 * A wake-up during a read is not lost: the follower reads again once that read is in. A
 * gap in seq (a standby that has not replayed everything yet) ends what is sent; what
 * follows it is read again a fallback interval later, never skipped, and so is a read
 * that failed.
 */
final class Follower implements LiveReads.Reader {

	private final ChatFeed feed;

	private final Duration fallback;

	private final FluxSink<LiveEvent> sink;

	/** Guarded by this: the next seq to send. */
	private long next;

	/** Guarded by this: a read is out. */
	private boolean reading;

	/** Guarded by this: there may be more to read (a wake-up, a full page). */
	private boolean again = true;

	/** Guarded by this: events given to the stream and not taken yet. */
	private int queued;

	/** Guarded by this. */
	private boolean closed;

	Follower(ChatFeed feed, long from, Duration fallback, FluxSink<LiveEvent> sink) {
		this.feed = feed;
		this.next = from;
		this.fallback = fallback;
		this.sink = sink;
	}

	/**
	 * The chat had a wake-up: the seq to read from when the stream can take more (the
	 * caller reads, and calls {@link #read} with what it found), else 0 (this follower
	 * reads once the stream has taken what it holds).
	 */
	long wakeUp() {
		synchronized (this) {
			this.again = true;
			return claimRead();
		}
	}

	/** Reads at once, alone, when there may be more and the stream can take it. */
	void readIfWanted() {
		long from;
		synchronized (this) {
			from = claimRead();
		}
		if (from > 0) {
			this.feed.read(from, this);
		}
	}

	/** The stream took one event. */
	void taken(LiveEvent event) {
		synchronized (this) {
			this.queued--;
		}
		readIfWanted();
	}

	/** Guarded by this. */
	private long claimRead() {
		if (this.closed || this.reading || !this.again || this.queued > 0) {
			return 0;
		}
		this.reading = true;
		this.again = false;
		return this.next;
	}

	@Override
	public void read(List<LiveEvent> events) {
		List<LiveEvent> gapFree;
		boolean later;
		synchronized (this) {
			this.reading = false;
			if (this.closed) {
				return;
			}
			gapFree = gapFree(events, this.next);
			if (!gapFree.isEmpty()) {
				this.next = gapFree.get(gapFree.size() - 1).seq() + 1;
			}
			this.queued += gapFree.size();
			if (gapFree.size() == LiveReads.PAGE) {
				this.again = true;
			}
			// Not in the database yet, though announced or past a gap: "not yet", read
			// again soon.
			later = !this.again && (gapFree.size() < events.size() || this.feed.patience(this.next) != null);
		}
		for (LiveEvent event : gapFree) {
			this.sink.next(event);
		}
		if (later) {
			readLater();
		}
		readIfWanted();
	}

	@Override
	public void failed(RuntimeException ex) {
		synchronized (this) {
			this.reading = false;
		}
		// The database cannot be read right now: the stream stays, and reads again
		// shortly.
		readLater();
	}

	private void readLater() {
		Schedulers.parallel().schedule(() -> {
			synchronized (this) {
				this.again = true;
			}
			readIfWanted();
		}, this.fallback.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The stream ended: nothing more is read for it. */
	void close() {
		synchronized (this) {
			this.closed = true;
		}
	}

	/** The messages up to the first gap in seq, starting at {@code next}. */
	static List<LiveEvent> gapFree(List<LiveEvent> messages, long next) {
		int end = 0;
		while (end < messages.size() && messages.get(end).seq() == next + end) {
			end++;
		}
		return messages.subList(0, end);
	}

}
