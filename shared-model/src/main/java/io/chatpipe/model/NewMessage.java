package io.chatpipe.model;

/**
 * A message a client asked to send, validated and canonical, not yet accepted (no id, no
 * time).
 *
 * @param chat the canonical chat
 * @param sender the sender's canonical (lowercase) name, one of the chat's members
 * @param text the text, valid Unicode without U+0000
 */
public record NewMessage(ChatId chat, String sender, String text) {
}
