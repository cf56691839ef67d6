package io.chatpipe.query.pull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.chatpipe.query.live.WakeUps;

/**
 * The streams of one chat on this replica: at a wake-up of the chat, the followers that
 * can take more and stand at the same seq share one read (the two members of a chat,
 * woken by one stored notice, cost one read, not two). The feed watches the chat for as
 * long as it has a follower ({@link LiveReader} holds the feeds).
 */
final class ChatFeed {

	private final String chat;

	private final LiveReads reads;

	private final CopyOnWriteArrayList<Follower> followers = new CopyOnWriteArrayList<>();

	private final WakeUps.Watch watch;

	/** How many streams hold the feed; changed only inside the feeds map's compute. */
	private int holders;

	ChatFeed(String chat, LiveReads reads, WakeUps wakeUps) {
		this.chat = chat;
		this.reads = reads;
		this.watch = wakeUps.follow(chat, this::wakeUp);
	}

	String chat() {
		return this.chat;
	}

	/** One more stream holds the feed (called inside the feeds map's compute). */
	ChatFeed hold() {
		this.holders++;
		return this;
	}

	/**
	 * One stream fewer holds the feed (called inside the feeds map's compute): true, and
	 * the chat is no longer watched, when it was the last.
	 */
	boolean release() {
		if (--this.holders > 0) {
			return false;
		}
		this.watch.close();
		return true;
	}

	void add(Follower follower) {
		this.followers.add(follower);
	}

	void remove(Follower follower) {
		this.followers.remove(follower);
	}

	/** Reads the chat from {@code from} for one reader alone. */
	void read(long from, LiveReads.Reader reader) {
		this.reads.read(this.chat, from, reader);
	}

	/**
	 * How long a follower that wants {@code next} waits before it reads again anyway (see
	 * {@link WakeUps.Watch#patience}), or null to wait for the next wake-up.
	 */
	Duration patience(long next) {
		return this.watch.patience(next);
	}

	private void wakeUp() {
		List<Shared> shared = new ArrayList<>(1);
		for (Follower follower : this.followers) {
			long from = follower.wakeUp();
			if (from > 0) {
				sharedFrom(shared, from).followers.add(follower);
			}
		}
		for (Shared read : shared) {
			this.reads.read(this.chat, read.from, read);
		}
	}

	private static Shared sharedFrom(List<Shared> shared, long from) {
		for (Shared read : shared) {
			if (read.from == from) {
				return read;
			}
		}
		Shared read = new Shared(from);
		shared.add(read);
		return read;
	}

	/** One read of the chat from one seq, for every follower that stood there. */
	private static final class Shared implements LiveReads.Reader {

		private final long from;

		private final List<Follower> followers = new ArrayList<>(2);

		Shared(long from) {
			this.from = from;
		}

		@Override
		public void read(List<LiveEvent> events) {
			this.followers.forEach((follower) -> follower.read(events));
		}

		@Override
		public void failed(RuntimeException ex) {
			this.followers.forEach((follower) -> follower.failed(ex));
		}

	}

}
