package io.chatpipe.query.pull;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One page of a pull, as the API answers it.
 *
 * @param messages the messages, in the page's order
 * @param hasMore whether more messages lie beyond the page in its direction
 * @param nextCursor where the next page starts, inclusive
 */
record Page(List<Message> messages, @JsonProperty("has_more") boolean hasMore,
		@JsonProperty("next_cursor") long nextCursor) {

	/**
	 * A message on a page.
	 *
	 * @param chat the canonical chat
	 * @param text the text
	 * @param sender the sender
	 * @param sendTime when it was accepted, in Unix seconds
	 * @param seq its position in the chat
	 * @param messageId its id
	 */
	record Message(String chat, String text, String sender, @JsonProperty("send_time") long sendTime, long seq,
			@JsonProperty("message_id") UUID messageId) {
	}

}
