package io.chatpipe.model;

import java.util.Locale;

/**
 * The rules for a chat member's name: 1..64 characters from {@code [A-Za-z0-9._-]},
 * case-insensitive, stored lowercase.
 */
public final class MemberName {

	public static final int MAX_LENGTH = 64;

	private MemberName() {
	}

	/**
	 * Returns the canonical (lowercase) form of a valid name, or {@code null} when the
	 * name breaks the rules.
	 */
	public static String canonicalOrNull(String name) {
		if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
			return null;
		}
		for (int i = 0; i < name.length(); i++) {
			if (!isAllowed(name.charAt(i))) {
				return null;
			}
		}
		return name.toLowerCase(Locale.ROOT);
	}

	/**
	 * Returns the canonical (lowercase) form of a valid name.
	 * @throws InvalidInputException naming {@code field} when the name breaks the rules
	 */
	public static String canonical(String field, String name) {
		String canonical = canonicalOrNull(name);
		if (canonical == null) {
			throw new InvalidInputException(field, RULE);
		}
		return canonical;
	}

	static final String RULE = "must be 1.." + MAX_LENGTH + " characters from [A-Za-z0-9._-]";

	private static boolean isAllowed(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
				|| c == '-';
	}

}
