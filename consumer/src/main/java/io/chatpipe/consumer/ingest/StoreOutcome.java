package io.chatpipe.consumer.ingest;

import java.util.List;
import java.util.Map;

import io.chatpipe.model.ChatMessage;

/**
 * What storing a batch did.
 *
 * @param stored the messages stored now, with their positions given
 * @param duplicates how many were stored already (redelivered, or resent by the
 * publisher) and were skipped
 * @param rejected messages the database refused for their content, each with the reason;
 * they are poison
 * @param lastSeqs the position of the last message stored now in each chat it stored in
 */
record StoreOutcome(List<ChatMessage> stored, int duplicates, List<Rejected> rejected, Map<String, Long> lastSeqs) {

	/**
	 * A message the database refused for what it holds.
	 *
	 * @param message the message
	 * @param reason the database's reason
	 */
	record Rejected(ChatMessage message, String reason) {
	}

}
