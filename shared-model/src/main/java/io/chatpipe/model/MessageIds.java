package io.chatpipe.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Message ids: random for a plain send; a name-based UUID (version 5, RFC 9562) of chat,
 * sender and {@code Idempotency-Key} for an idempotent one, so every retry carries the
 * same id and the consumer stores it once.
 */
public final class MessageIds {

	/**
	 * The namespace of chatpipe's name-based ids. Changing it would break idempotency
	 * across a deploy.
	 */
	static final UUID NAMESPACE = UUID.fromString("6f1f2a4e-3b0c-5d8e-9a47-2c6b1e0d7f31");

	private MessageIds() {
	}

	public static UUID random() {
		return UUID.randomUUID();
	}

	/** The id every send with this key, by this sender, in this chat carries. */
	public static UUID derived(ChatId chat, String sender, String idempotencyKey) {
		// '\n' occurs in none of the parts (names and keys are visible ASCII), so the
		// joined name is unambiguous.
		String name = chat.value() + "\n" + sender + "\n" + idempotencyKey;
		MessageDigest sha1;
		try {
			sha1 = MessageDigest.getInstance("SHA-1");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java platform has SHA-1", ex);
		}
		sha1.update(ByteBuffer.allocate(16)
			.putLong(NAMESPACE.getMostSignificantBits())
			.putLong(NAMESPACE.getLeastSignificantBits())
			.array());
		byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
		hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
		hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
		ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
		return new UUID(bits.getLong(), bits.getLong());
	}

}
