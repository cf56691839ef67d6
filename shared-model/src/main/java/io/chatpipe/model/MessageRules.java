package io.chatpipe.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The validation rules of a message (the README's API, POST /api/send). Every violation
 * is collected, so a client learns all that is wrong with a request at once.
 *
 * @param maxTextCodePoints the longest text accepted, counted in Unicode code points
 */
public record MessageRules(int maxTextCodePoints) {

	/** The default longest text, in code points. */
	public static final int DEFAULT_MAX_TEXT_CODE_POINTS = 4096;

	/** The longest {@code Idempotency-Key}. */
	public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

	/** The header that carries an idempotency key. */
	public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

	public MessageRules {
		if (maxTextCodePoints < 1) {
			throw new IllegalArgumentException("maxTextCodePoints must be at least 1, was " + maxTextCodePoints);
		}
	}

	/** The rules with the default text length. */
	public static MessageRules defaults() {
		return new MessageRules(DEFAULT_MAX_TEXT_CODE_POINTS);
	}

	/**
	 * The rules a stored message must meet. The text length is the publisher's acceptance
	 * policy, not a storage rule: a consumer must not turn a message the publisher
	 * accepted under a larger limit into poison.
	 */
	public static MessageRules forStoring() {
		return new MessageRules(Integer.MAX_VALUE);
	}

	/**
	 * Checks a request's fields and returns the canonical message.
	 * @throws InvalidInputException with every violation found
	 */
	public NewMessage check(String chat, String sender, String text) {
		List<FieldViolation> violations = new ArrayList<>();
		ChatId chatId = null;
		try {
			chatId = ChatId.parse(chat);
		}
		catch (InvalidInputException ex) {
			violations.addAll(ex.violations());
		}
		String senderName = null;
		if (sender == null) {
			violations.add(new FieldViolation("sender", "is required"));
		}
		else {
			senderName = MemberName.canonicalOrNull(sender);
			if (senderName == null) {
				violations.add(new FieldViolation("sender", MemberName.RULE));
			}
			else if (chatId != null && !chatId.hasMember(senderName)) {
				violations.add(new FieldViolation("sender", "must be one of the chat's members (" + chatId.first()
						+ ((chatId.first().equals(chatId.second())) ? "" : " or " + chatId.second()) + ")"));
			}
		}
		String textProblem = textProblem(text);
		if (textProblem != null) {
			violations.add(new FieldViolation("text", textProblem));
		}
		if (!violations.isEmpty()) {
			throw new InvalidInputException(violations);
		}
		return new NewMessage(chatId, senderName, text);
	}

	/**
	 * Checks an {@code Idempotency-Key}: 1..255 visible ASCII characters.
	 * @throws InvalidInputException naming the header when it breaks the rule
	 */
	public static String checkIdempotencyKey(String key) {
		boolean valid = key != null && !key.isEmpty() && key.length() <= MAX_IDEMPOTENCY_KEY_LENGTH;
		for (int i = 0; valid && i < key.length(); i++) {
			char c = key.charAt(i);
			valid = c >= 0x21 && c <= 0x7e;
		}
		if (!valid) {
			throw new InvalidInputException(IDEMPOTENCY_KEY_HEADER,
					"must be 1.." + MAX_IDEMPOTENCY_KEY_LENGTH + " visible ASCII characters (0x21-0x7E)");
		}
		return key;
	}

	private String textProblem(String text) {
		if (text == null) {
			return "is required";
		}
		int codePoints = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\u0000') {
				return "must not contain U+0000 (NUL); PostgreSQL cannot store it";
			}
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return "must be valid Unicode (unpaired surrogate at index " + i + ")";
			}
			codePoints++;
		}
		if (codePoints < 1 || codePoints > this.maxTextCodePoints) {
			return "must be 1.." + this.maxTextCodePoints + " characters (Unicode code points), was " + codePoints;
		}
		return null;
	}

}
