package io.chatpipe.query.pull;

import io.chatpipe.model.ChatId;

/**
 * A checked pull.
 *
 * @param chat the canonical chat
 * @param cursor where the page starts, inclusive; 0 is the oldest (ascending) or the
 * newest (descending)
 * @param limit the most messages on the page, 1..100
 * @param reverse newest first
 */
record PullRequest(ChatId chat, long cursor, int limit, boolean reverse) {

	static final int DEFAULT_LIMIT = 10;

	static final int MAX_LIMIT = 100;

}
