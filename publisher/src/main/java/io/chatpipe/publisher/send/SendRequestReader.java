package io.chatpipe.publisher.send;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.FieldViolation;
import io.chatpipe.model.InvalidInputException;
import io.chatpipe.model.MessageIds;
import io.chatpipe.model.MessageRules;
import io.chatpipe.model.NewMessage;
import io.chatpipe.spring.web.StrictJson;

/**
 * Turns a request body and its {@code Idempotency-Key} into an accepted message, or an
 * {@link InvalidInputException} with every violation. The body is read by
 * {@link StrictJson}, and types are checked strictly: {@code "text": 5} is an error, not
 * the text "5". Unknown fields are ignored.
 */
final class SendRequestReader {

	private static final List<String> FIELDS = List.of("chat", "sender", "text");

	private final MessageRules rules;

	private final StrictJson json;

	SendRequestReader(MessageRules rules, ObjectMapper json) {
		this.rules = rules;
		this.json = new StrictJson(json);
	}

	/**
	 * Reads the body's bytes (empty when the request had none).
	 */
	ChatMessage read(byte[] body, String idempotencyKey, long nowMillis) {
		JsonNode tree = this.json.read(body);
		if (tree == null || tree.isMissingNode()) {
			throw new InvalidInputException("body", "is required");
		}
		return read(tree, idempotencyKey, nowMillis);
	}

	private ChatMessage read(JsonNode body, String idempotencyKey, long nowMillis) {
		if (!body.isObject()) {
			throw new InvalidInputException("body", "must be a JSON object with chat, sender and text");
		}
		List<FieldViolation> violations = new ArrayList<>();
		Set<String> wrongType = new HashSet<>();
		String[] values = new String[FIELDS.size()];
		for (int i = 0; i < values.length; i++) {
			JsonNode node = body.get(FIELDS.get(i));
			if (node != null && !node.isNull() && !node.isTextual()) {
				violations.add(new FieldViolation(FIELDS.get(i),
						"must be a string, was " + node.getNodeType().toString().toLowerCase()));
				wrongType.add(FIELDS.get(i));
			}
			else if (node != null && node.isTextual()) {
				values[i] = node.textValue();
			}
		}
		NewMessage message = null;
		try {
			message = this.rules.check(values[0], values[1], values[2]);
		}
		catch (InvalidInputException ex) {
			ex.violations().stream().filter((v) -> !wrongType.contains(v.field())).forEach(violations::add);
		}
		if (idempotencyKey != null) {
			try {
				MessageRules.checkIdempotencyKey(idempotencyKey);
			}
			catch (InvalidInputException ex) {
				violations.addAll(ex.violations());
			}
		}
		if (!violations.isEmpty()) {
			violations
				.sort(Comparator.comparingInt((v) -> FIELDS.contains(v.field()) ? FIELDS.indexOf(v.field()) : 99));
			throw new InvalidInputException(violations);
		}
		UUID id = (idempotencyKey != null) ? MessageIds.derived(message.chat(), message.sender(), idempotencyKey)
				: MessageIds.random();
		return ChatMessage.accept(id, message, nowMillis);
	}

}
