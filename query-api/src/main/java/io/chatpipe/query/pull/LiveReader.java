package io.chatpipe.query.pull;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.chatpipe.model.ChatId;
import io.chatpipe.query.live.WakeUps;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Reads a chat as it grows: the database is the source of truth, read by cursor; a
 * wake-up only says when to read again. A long-poll takes the chat's next wake-up
 * <em>before</em> it reads, and a stream's {@link Follower} reads again when a wake-up
 * came during its read, so that a message stored during a read wakes the reader at once
 * instead of being missed until the next one.
 */
@Component
class LiveReader {

	private final PageReader pages;

	private final LiveReads liveReads;

	private final WakeUps wakeUps;

	/** The chats this replica's streams follow. */
	private final ConcurrentHashMap<String, ChatFeed> feeds = new ConcurrentHashMap<>();

	LiveReader(PageReader pages, LiveReads liveReads, WakeUps wakeUps) {
		this.pages = pages;
		this.liveReads = liveReads;
		this.wakeUps = wakeUps;
	}

	/**
	 * A long-poll: the page, as soon as it is not empty or the request's wait runs out
	 * (then the empty page, with the cursor asked for).
	 */
	Mono<Page> waitForPage(PullRequest request) {
		long deadline = System.nanoTime() + request.waitFor().toNanos();
		return Mono.using(() -> this.wakeUps.watch(request.chat().value()),
				(watch) -> Mono.defer(() -> readOrWait(request, watch, deadline)), WakeUps.Watch::close);
	}

	private Mono<Page> readOrWait(PullRequest request, WakeUps.Watch watch, long deadline) {
		Mono<Void> wakeUp = watch.next();
		return this.pages.readLater(request).flatMap((page) -> {
			long left = deadline - System.nanoTime();
			if (!page.messages().isEmpty() || left <= 0) {
				return Mono.just(page);
			}
			Duration patience = watch.patience(page.nextCursor());
			Duration wait = (patience != null) ? min(patience, Duration.ofNanos(left)) : Duration.ofNanos(left);
			return wakeUp.timeout(wait, Mono.empty()).then(Mono.defer(() -> readOrWait(request, watch, deadline)));
		});
	}

	/**
	 * Every message of a chat from {@code from} on, in seq order, each once, for as long
	 * as the subscriber stays ({@link Follower}); a page is read only when the subscriber
	 * has taken the last, so a slow one holds at most a page. While the database cannot
	 * be read, the follower reads again every fallback interval.
	 */
	Flux<LiveEvent> follow(ChatId chat, long from) {
		return Flux.defer(() -> {
			AtomicReference<Follower> following = new AtomicReference<>();
			return Flux.<LiveEvent>create((sink) -> {
				ChatFeed feed = join(chat.value());
				Follower follower = new Follower(feed, Math.max(from, 1), this.wakeUps.fallbackInterval(), sink);
				following.set(follower);
				sink.onDispose(() -> {
					follower.close();
					leave(feed, follower);
				});
				feed.add(follower);
				follower.readIfWanted();
			}).doOnNext((event) -> following.get().taken(event));
		});
	}

	private ChatFeed join(String chat) {
		return this.feeds.compute(chat, (key, existing) -> holdOrCreate(existing, chat));
	}

	private ChatFeed holdOrCreate(ChatFeed existing, String chat) {
		ChatFeed feed = (existing != null) ? existing : new ChatFeed(chat, this.liveReads, this.wakeUps);
		return feed.hold();
	}

	private void leave(ChatFeed feed, Follower follower) {
		feed.remove(follower);
		this.feeds.computeIfPresent(feed.chat(), (key, held) -> held.release() ? null : held);
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
