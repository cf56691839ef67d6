package io.chatpipe.query.pull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.FieldViolation;
import io.chatpipe.model.InvalidInputException;

import org.springframework.util.MultiValueMap;

/**
 * Reads a pull's parameters from the query string and, as the original assignment's
 * clients send them, a JSON body; the query string wins where both give one. Every
 * violation is collected; a number where text belongs is an error.
 */
final class PullRequestReader {

	private PullRequestReader() {
	}

	static PullRequest read(MultiValueMap<String, String> query, JsonNode body) {
		if (body != null && !body.isObject()) {
			throw new InvalidInputException("body", "must be a JSON object");
		}
		List<FieldViolation> violations = new ArrayList<>();
		ChatId chat = null;
		Object rawChat = value(query, body, "chat");
		if (rawChat == null) {
			violations.add(new FieldViolation("chat", "is required"));
		}
		else if (text(rawChat) == null) {
			violations.add(new FieldViolation("chat", "must be a string"));
		}
		else {
			try {
				chat = ChatId.parse(text(rawChat));
			}
			catch (InvalidInputException ex) {
				violations.addAll(ex.violations());
			}
		}
		long cursor = integer(value(query, body, "cursor"), "cursor", 0, 0, Long.MAX_VALUE, violations);
		long limit = integer(value(query, body, "limit"), "limit", PullRequest.DEFAULT_LIMIT, 1, PullRequest.MAX_LIMIT,
				violations);
		boolean reverse = bool(value(query, body, "reverse"), violations);
		if (!violations.isEmpty()) {
			throw new InvalidInputException(violations);
		}
		return new PullRequest(chat, cursor, (int) limit, reverse);
	}

	/**
	 * The query-string value (a String), else the body's JSON node (of whatever type, so
	 * that {@code "limit": "10"} is refused as a send's {@code "text": 5} is), else null.
	 */
	private static Object value(MultiValueMap<String, String> query, JsonNode body, String name) {
		String fromQuery = query.getFirst(name);
		if (fromQuery != null) {
			return fromQuery;
		}
		JsonNode node = (body != null) ? body.get(name) : null;
		if (node == null || node.isNull()) {
			return null;
		}
		return node;
	}

	/** A query-string value, or a JSON string's text; null for any other JSON type. */
	private static String text(Object raw) {
		if (raw instanceof JsonNode node) {
			return node.isTextual() ? node.textValue() : null;
		}
		return (String) raw;
	}

	private static long integer(Object raw, String name, long fallback, long min, long max,
			List<FieldViolation> violations) {
		String rule = "must be an integer from " + min + ((max == Long.MAX_VALUE) ? " up" : " to " + max);
		if (raw == null) {
			return fallback;
		}
		long value;
		if (raw instanceof JsonNode node) {
			if (!node.isIntegralNumber() || !node.canConvertToLong()) {
				violations.add(new FieldViolation(name, rule));
				return fallback;
			}
			value = node.longValue();
		}
		else {
			String text = (String) raw;
			if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch((c) -> c >= '0' && c <= '9')) {
				violations.add(new FieldViolation(name, rule + ", was \"" + abbreviate(text) + "\""));
				return fallback;
			}
			value = Long.parseLong(text);
		}
		if (value < min || value > max) {
			violations.add(new FieldViolation(name, rule + ", was " + value));
			return fallback;
		}
		return value;
	}

	private static boolean bool(Object raw, List<FieldViolation> violations) {
		if (raw == null) {
			return false;
		}
		if (raw instanceof JsonNode node) {
			if (node.isBoolean()) {
				return node.booleanValue();
			}
		}
		else {
			String text = ((String) raw).toLowerCase(Locale.ROOT);
			if (text.equals("true") || text.equals("false")) {
				return text.equals("true");
			}
		}
		violations.add(new FieldViolation("reverse", "must be true or false"));
		return false;
	}

	private static String abbreviate(String text) {
		return (text.length() <= 20) ? text : text.substring(0, 20) + "…";
	}

}
