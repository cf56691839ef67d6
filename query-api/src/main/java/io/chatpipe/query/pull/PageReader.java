package io.chatpipe.query.pull;

import java.util.List;

import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Component;

/**
 * Reads one page (blocking). Fetches one row more than the limit to know, without a
 * count, whether more follow.
 */
@Component
class PageReader {

	private final StoredMessageRepository messages;

	PageReader(StoredMessageRepository messages) {
		this.messages = messages;
	}

	Page read(PullRequest request) {
		String chat = request.chat().value();
		Limit oneMore = Limit.of(request.limit() + 1);
		List<StoredMessage> rows;
		if (!request.reverse()) {
			rows = this.messages.findByChatAndSeqGreaterThanEqualOrderBySeqAsc(chat, Math.max(request.cursor(), 1),
					oneMore);
		}
		else if (request.cursor() == 0) {
			rows = this.messages.findByChatOrderBySeqDesc(chat, oneMore);
		}
		else {
			rows = this.messages.findByChatAndSeqLessThanEqualOrderBySeqDesc(chat, request.cursor(), oneMore);
		}
		boolean hasMore = rows.size() > request.limit();
		List<StoredMessage> page = hasMore ? rows.subList(0, request.limit()) : rows;
		return new Page(page.stream().map(Page.Message::of).toList(), hasMore,
				nextCursor(request, rows, page, hasMore));
	}

	/**
	 * Ascending: the seq after the last one returned, or the cursor asked for when none
	 * were, so a client can keep polling it. Descending: the next older seq, or 0 once
	 * the oldest was returned.
	 */
	private static long nextCursor(PullRequest request, List<StoredMessage> rows, List<StoredMessage> page,
			boolean hasMore) {
		if (!request.reverse()) {
			return page.isEmpty() ? request.cursor() : page.get(page.size() - 1).seq() + 1;
		}
		return hasMore ? rows.get(request.limit()).seq() : 0;
	}

}
