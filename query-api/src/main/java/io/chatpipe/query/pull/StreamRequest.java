package io.chatpipe.query.pull;

import io.chatpipe.model.ChatId;

/**
 * A checked stream request.
 *
 * @param chat the canonical chat
 * @param from the seq of the first message to send
 */
record StreamRequest(ChatId chat, long from) {

	/** The header with which a client resumes after the last event it saw. */
	static final String LAST_EVENT_ID = "Last-Event-ID";

}
