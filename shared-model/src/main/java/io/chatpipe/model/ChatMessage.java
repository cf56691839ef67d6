package io.chatpipe.model;

import java.util.UUID;

/**
 * A message the publisher accepted: what travels from publisher to consumer and is
 * stored.
 *
 * @param messageId the message's id: random, or derived from chat, sender and
 * {@code Idempotency-Key}
 * @param chat the canonical chat
 * @param sender the sender's canonical name
 * @param text the text
 * @param acceptedAtMillis when the publisher accepted it, in Unix milliseconds
 */
public record ChatMessage(UUID messageId, ChatId chat, String sender, String text, long acceptedAtMillis) {

	/** Accepts a validated message now. */
	public static ChatMessage accept(UUID messageId, NewMessage message, long nowMillis) {
		return new ChatMessage(messageId, message.chat(), message.sender(), message.text(), nowMillis);
	}

	/** The send time as the API reports it: Unix seconds. */
	public long sendTime() {
		return Math.floorDiv(this.acceptedAtMillis, 1000L);
	}

}
