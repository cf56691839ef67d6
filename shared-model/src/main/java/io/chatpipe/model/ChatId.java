package io.chatpipe.model;

/**
 * A chat between two members, in canonical form: both names lowercase, sorted, joined by
 * one {@code :}. {@code B:a} and {@code a:b} are the same chat, {@code a:b}; a chat of a
 * member with itself ({@code a:a}) is allowed.
 *
 * @param first the name that sorts first
 * @param second the name that sorts second (equal to {@code first} in a chat with
 * oneself)
 */
public record ChatId(String first, String second) {

	/** The field name used when a chat id is rejected. */
	public static final String FIELD = "chat";

	public ChatId {
		if (MemberName.canonicalOrNull(first) == null || !first.equals(MemberName.canonicalOrNull(first))
				|| MemberName.canonicalOrNull(second) == null || !second.equals(MemberName.canonicalOrNull(second))
				|| first.compareTo(second) > 0) {
			throw new IllegalArgumentException("not a canonical chat: " + first + ":" + second);
		}
	}

	/**
	 * Parses a chat id as a client sends it and returns its canonical form.
	 * @throws InvalidInputException naming {@code chat} when it is not two member names
	 * joined by one {@code :}
	 */
	public static ChatId parse(String raw) {
		if (raw == null) {
			throw new InvalidInputException(FIELD, "is required");
		}
		int colon = raw.indexOf(':');
		if (colon < 0 || raw.indexOf(':', colon + 1) >= 0) {
			throw new InvalidInputException(FIELD, "must be two member names joined by one ':' (e.g. \"a1:a2\")");
		}
		String a = MemberName.canonicalOrNull(raw.substring(0, colon));
		String b = MemberName.canonicalOrNull(raw.substring(colon + 1));
		if (a == null || b == null) {
			throw new InvalidInputException(FIELD, "each member name " + MemberName.RULE);
		}
		return (a.compareTo(b) <= 0) ? new ChatId(a, b) : new ChatId(b, a);
	}

	/** Whether {@code canonicalName} (lowercase) is one of the two members. */
	public boolean hasMember(String canonicalName) {
		return this.first.equals(canonicalName) || this.second.equals(canonicalName);
	}

	/** The canonical text form, {@code first:second}. */
	public String value() {
		return this.first + ":" + this.second;
	}

	@Override
	public String toString() {
		return value();
	}

}
