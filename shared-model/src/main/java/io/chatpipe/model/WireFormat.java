package io.chatpipe.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON form of a {@link ChatMessage} on the queue: versioned and readable in the
 * management UI, e.g.
 * <pre>{"v":1,"message_id":"…","chat":"a1:a2","sender":"a1","text":"hello","accepted_at":1684770116123}</pre>
 * Decoding checks the message against {@link MessageRules#forStoring()}; anything else is
 * poison.
 */
public final class WireFormat {

	/** The version this code writes and reads. */
	public static final int VERSION = 1;

	/** The AMQP content type of an encoded message. */
	public static final String CONTENT_TYPE = "application/json";

	private static final ObjectMapper MAPPER = new ObjectMapper();

	private static final MessageRules STORING = MessageRules.forStoring();

	private WireFormat() {
	}

	public static byte[] encode(ChatMessage message) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(128 + message.text().length());
		try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
			json.writeStartObject();
			json.writeNumberField("v", VERSION);
			json.writeStringField("message_id", message.messageId().toString());
			json.writeStringField("chat", message.chat().value());
			json.writeStringField("sender", message.sender());
			json.writeStringField("text", message.text());
			json.writeNumberField("accepted_at", message.acceptedAtMillis());
			json.writeEndObject();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	/**
	 * Decodes and checks a message.
	 * @throws PoisonMessageException naming the reason when the bytes are not a storable
	 * message
	 */
	public static ChatMessage decode(byte[] body) {
		JsonNode root;
		try {
			root = MAPPER.readTree(body);
		}
		catch (JsonProcessingException ex) {
			throw new PoisonMessageException("undecodable: not JSON (" + ex.getOriginalMessage() + ")", ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (root == null || !root.isObject()) {
			throw new PoisonMessageException("not a message: the body is not a JSON object");
		}
		JsonNode version = root.get("v");
		if (version == null || !version.isInt() || version.intValue() != VERSION) {
			throw new PoisonMessageException(
					"not a message: unsupported version " + version + " (expected " + VERSION + ")");
		}
		UUID messageId = uuid(root.get("message_id"));
		JsonNode acceptedAt = root.get("accepted_at");
		if (acceptedAt == null || !acceptedAt.canConvertToExactIntegral() || !acceptedAt.canConvertToLong()) {
			throw new PoisonMessageException("not a message: accepted_at must be an integer (Unix milliseconds)");
		}
		String chat = text(root, "chat");
		NewMessage checked;
		try {
			checked = STORING.check(chat, text(root, "sender"), text(root, "text"));
		}
		catch (InvalidInputException ex) {
			throw new PoisonMessageException("breaks the rules: " + ex.getMessage(), ex);
		}
		if (!checked.chat().value().equals(chat)) {
			throw new PoisonMessageException("breaks the rules: chat is not canonical (" + chat + ")");
		}
		return ChatMessage.accept(messageId, checked, acceptedAt.longValue());
	}

	private static UUID uuid(JsonNode node) {
		if (node != null && node.isTextual()) {
			try {
				return UUID.fromString(node.textValue());
			}
			catch (IllegalArgumentException ex) {
				// reported below
			}
		}
		throw new PoisonMessageException("not a message: message_id must be a UUID");
	}

	private static String text(JsonNode root, String field) {
		JsonNode node = root.get(field);
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isTextual()) {
			throw new PoisonMessageException("not a message: " + field + " must be a string");
		}
		return node.textValue();
	}

}
