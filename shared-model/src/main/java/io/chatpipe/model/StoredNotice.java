package io.chatpipe.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a consumer announces on {@link Topology#storedExchange()} after each committed
 * batch, so that live readers of those chats wake up: for each chat of the batch, the
 * highest {@code seq} the batch stored (0 when it stored nothing new there: a redelivery,
 * announced again in case the first announcement was lost), and when the batch committed.
 * A hint only: readers read the database by cursor, and a lost notice delays a reader,
 * never loses a message for it. On the wire, e.g.
 * <pre>{"v":1,"stored_at":1684770116123,"chats":{"a1:a2":12,"b1:b2":0}}</pre>
 *
 * @param chats each chat's canonical form and the highest seq stored for it
 * @param storedAtMillis when the batch committed, in Unix milliseconds
 */
public record StoredNotice(Map<String, Long> chats, long storedAtMillis) {

	/** The version this code writes and reads. */
	public static final int VERSION = 1;

	/** The AMQP content type of an encoded notice. */
	public static final String CONTENT_TYPE = "application/json";

	private static final ObjectMapper MAPPER = new ObjectMapper();

	public StoredNotice {
		chats = Map.copyOf(chats);
	}

	public byte[] encode() {
		ByteArrayOutputStream out = new ByteArrayOutputStream(32 + 24 * this.chats.size());
		try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
			json.writeStartObject();
			json.writeNumberField("v", VERSION);
			json.writeNumberField("stored_at", this.storedAtMillis);
			json.writeObjectFieldStart("chats");
			for (Map.Entry<String, Long> chat : this.chats.entrySet()) {
				json.writeNumberField(chat.getKey(), chat.getValue());
			}
			json.writeEndObject();
			json.writeEndObject();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	/**
	 * Reads a notice.
	 * @throws IllegalArgumentException naming what is wrong when the bytes are not a
	 * notice of this version
	 */
	public static StoredNotice decode(byte[] body) {
		JsonNode root;
		try {
			root = MAPPER.readTree(body);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("not JSON: " + ex.getMessage(), ex);
		}
		if (root == null || !root.isObject() || !root.path("v").isInt() || root.get("v").intValue() != VERSION) {
			throw new IllegalArgumentException("not a stored notice of version " + VERSION);
		}
		JsonNode storedAt = root.get("stored_at");
		JsonNode chats = root.get("chats");
		if (storedAt == null || !storedAt.canConvertToExactIntegral() || chats == null || !chats.isObject()) {
			throw new IllegalArgumentException("a stored notice needs stored_at (an integer) and chats (an object)");
		}
		Map<String, Long> seqs = new LinkedHashMap<>();
		for (Iterator<Map.Entry<String, JsonNode>> fields = chats.fields(); fields.hasNext();) {
			Map.Entry<String, JsonNode> field = fields.next();
			if (!field.getValue().canConvertToExactIntegral()) {
				throw new IllegalArgumentException("the seq of chat " + field.getKey() + " is not an integer");
			}
			seqs.put(field.getKey(), field.getValue().longValue());
		}
		return new StoredNotice(seqs, storedAt.longValue());
	}

}
