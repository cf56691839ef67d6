package io.chatpipe.query.pull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.chatpipe.model.ChatId;
import io.chatpipe.query.live.WakeUps;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Reads a chat as it grows: the database is the source of truth, read by cursor; a
 * wake-up only says when to read again. Each read takes the chat's next wake-up
 * <em>before</em> it reads, so that a message stored during the read wakes the reader at
 * once instead of being missed until the next one.
 */
@Component
class LiveReader {

	/** How many messages a stream reads at a time. */
	static final int STREAM_PAGE = PullRequest.MAX_LIMIT;

	private final PageReader pages;

	private final LiveReads liveReads;

	private final WakeUps wakeUps;

	/** The stream reads in flight, by chat, position and wake-up generation. */
	private final ConcurrentHashMap<SharedRead, Mono<List<LiveEvent>>> reads = new ConcurrentHashMap<>();

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
		Mono<Void> wakeUp = watch.next().signal();
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
	 * as the subscriber stays; a page is read only when the subscriber asks for more, so
	 * a slow one holds at most a page or two. A gap in seq (a standby that has not
	 * replayed everything yet) ends a read: what follows it is read again, never skipped.
	 * While the database cannot be read, the follower reads again every fallback
	 * interval.
	 */
	Flux<LiveEvent> follow(ChatId chat, long from) {
		return Flux.using(() -> this.wakeUps.watch(chat.value()), (watch) -> {
			Position position = new Position(Math.max(from, 1));
			return Mono.defer(() -> position.waitBeforeRead.then(Mono.defer(() -> {
				WakeUps.WakeUp wakeUp = watch.next();
				return sharedRead(chat, position.next, wakeUp.generation()).map((events) -> {
					List<LiveEvent> gapFree = gapFree(events, position.next);
					if (!gapFree.isEmpty()) {
						position.next = gapFree.get(gapFree.size() - 1).seq() + 1;
					}
					boolean more = gapFree.size() == STREAM_PAGE;
					Duration patience = watch.patience(position.next);
					position.waitBeforeRead = more ? Mono.empty()
							: (patience != null) ? wakeUp.signal().timeout(patience, Mono.empty()) : wakeUp.signal();
					return gapFree;
				}).onErrorResume((ex) -> {
					// The database cannot be read right now: the stream stays, and reads
					// again shortly.
					position.waitBeforeRead = Mono.delay(this.wakeUps.fallbackInterval()).then();
					return Mono.just(List.of());
				});
			}))).repeat().concatMapIterable((messages) -> messages, 1);
		}, WakeUps.Watch::close);
	}

	/**
	 * A stream's read of a page ({@link LiveReads}: batched with the other chats' reads),
	 * shared with every other stream of this replica that reads the same chat from the
	 * same seq after the same wake-up: the two members of a chat, woken by one stored
	 * notice, cost one read, not two. Only readers that took the same wake-up generation
	 * share, so none is served a read that started before a wake-up it missed.
	 */
	private Mono<List<LiveEvent>> sharedRead(ChatId chat, long from, long generation) {
		SharedRead key = new SharedRead(chat.value(), from, generation);
		return Mono.defer(() -> this.reads.computeIfAbsent(key,
				(k) -> this.liveReads.read(chat.value(), from, STREAM_PAGE)
					.doFinally((signal) -> this.reads.remove(k))
					.cache()));
	}

	/** The messages up to the first gap in seq, starting at {@code next}. */
	static List<LiveEvent> gapFree(List<LiveEvent> messages, long next) {
		int end = 0;
		while (end < messages.size() && messages.get(end).seq() == next + end) {
			end++;
		}
		return messages.subList(0, end);
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private record SharedRead(String chat, long from, long generation) {
	}

	/** Where a follower is: the next seq, and what to wait for before reading it. */
	private static final class Position {

		private volatile long next;

		private volatile Mono<Void> waitBeforeRead = Mono.empty();

		Position(long next) {
			this.next = next;
		}

	}

}
