package io.chatpipe.query.pull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

	private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})(s|ms)?");

	private PullRequestReader() {
	}

	static PullRequest read(MultiValueMap<String, String> query, JsonNode body) {
		if (body != null && !body.isObject()) {
			throw new InvalidInputException("body", "must be a JSON object");
		}
		List<FieldViolation> violations = new ArrayList<>();
		ChatId chat = chat(value(query, body, "chat"), violations);
		long cursor = integer(value(query, body, "cursor"), "cursor", 0, 0, Long.MAX_VALUE, violations);
		long limit = integer(value(query, body, "limit"), "limit", PullRequest.DEFAULT_LIMIT, 1, PullRequest.MAX_LIMIT,
				violations);
		boolean reverse = bool(value(query, body, "reverse"), violations);
		Duration wait = duration(value(query, body, "wait"), violations);
		if (!violations.isEmpty()) {
			throw new InvalidInputException(violations);
		}
		return new PullRequest(chat, cursor, (int) limit, reverse, wait);
	}

	/**
	 * Reads a stream's parameters: {@code chat}, and where to start, from
	 * {@code Last-Event-ID} (the event after it) when the client resumes, else from
	 * {@code cursor} (inclusive, as a pull's).
	 */
	static StreamRequest readStream(MultiValueMap<String, String> query, String lastEventId) {
		List<FieldViolation> violations = new ArrayList<>();
		ChatId chat = chat(value(query, null, "chat"), violations);
		long cursor = integer(value(query, null, "cursor"), "cursor", 0, 0, Long.MAX_VALUE, violations);
		if (lastEventId != null && !lastEventId.isEmpty()) {
			long last = integer(lastEventId, StreamRequest.LAST_EVENT_ID, 0, 0, Long.MAX_VALUE, violations);
			cursor = Math.min(last, Long.MAX_VALUE - 1) + 1;
		}
		if (!violations.isEmpty()) {
			throw new InvalidInputException(violations);
		}
		return new StreamRequest(chat, cursor);
	}

	private static ChatId chat(Object rawChat, List<FieldViolation> violations) {
		if (rawChat == null) {
			violations.add(new FieldViolation("chat", "is required"));
		}
		else if (text(rawChat) == null) {
			violations.add(new FieldViolation("chat", "must be a string"));
		}
		else {
			try {
				return ChatId.parse(text(rawChat));
			}
			catch (InvalidInputException ex) {
				violations.addAll(ex.violations());
			}
		}
		return null;
	}

	/**
	 * A wait: whole seconds ({@code 25}, a JSON number or text), or text with a unit
	 * ({@code 25s}, {@code 1500ms}); 0 to 60 s.
	 */
	private static Duration duration(Object raw, List<FieldViolation> violations) {
		if (raw == null) {
			return Duration.ZERO;
		}
		String rule = "must be a duration from 0 to 60s: seconds (25) or with a unit (25s, 1500ms)";
		Duration wait = null;
		if (raw instanceof JsonNode node) {
			if (node.isIntegralNumber() && node.canConvertToLong()) {
				wait = Duration.ofSeconds(Math.clamp(node.longValue(), -1, 61));
			}
			else if (node.isTextual()) {
				wait = parseDuration(node.textValue());
			}
		}
		else {
			wait = parseDuration((String) raw);
		}
		if (wait == null || wait.isNegative() || wait.compareTo(PullRequest.MAX_WAIT) > 0) {
			String was = (raw instanceof String text) ? "\"" + abbreviate(text) + "\"" : abbreviate(raw.toString());
			violations.add(new FieldViolation("wait", rule + ", was " + was));
			return Duration.ZERO;
		}
		return wait;
	}

	private static Duration parseDuration(String text) {
		Matcher matcher = DURATION.matcher(text);
		if (!matcher.matches()) {
			return null;
		}
		long amount = Long.parseLong(matcher.group(1));
		return "ms".equals(matcher.group(2)) ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
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
