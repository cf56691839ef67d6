package io.chatpipe.query.pull;

import java.time.Duration;

import io.chatpipe.model.ChatId;

/**
 * A checked pull.
 *
 * @param chat the canonical chat
 * @param cursor where the page starts, inclusive; 0 is the oldest (ascending) or the
 * newest (descending)
 * @param limit the most messages on the page, 1..100
 * @param reverse newest first
 * @param waitFor how long to wait, when the page would be empty, for a message to fill
 * it; zero answers at once
 */
record PullRequest(ChatId chat, long cursor, int limit, boolean reverse, Duration waitFor) {

	static final int DEFAULT_LIMIT = 10;

	static final int MAX_LIMIT = 100;

	static final Duration MAX_WAIT = Duration.ofSeconds(60);

	PullRequest(ChatId chat, long cursor, int limit, boolean reverse) {
		this(chat, cursor, limit, reverse, Duration.ZERO);
	}

}
