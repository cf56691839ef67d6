package io.chatpipe.publisher.send;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.chatpipe.model.ChatMessage;

/**
 * The answer to a confirmed send.
 *
 * @param messageId the message's id
 * @param chat the canonical chat
 * @param sendTime when the publisher accepted it, in Unix seconds
 */
record SendResponse(@JsonProperty("message_id") UUID messageId, String chat, @JsonProperty("send_time") long sendTime) {

	static SendResponse of(ChatMessage message) {
		return new SendResponse(message.messageId(), message.chat().value(), message.sendTime());
	}

}
