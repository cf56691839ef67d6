package io.chatpipe.model;

import java.util.List;

/**
 * Input that breaks one or more rules of the contract; carries every violation found.
 */
public class InvalidInputException extends RuntimeException {

	private final List<FieldViolation> violations;

	public InvalidInputException(List<FieldViolation> violations) {
		super(describe(violations));
		if (violations.isEmpty()) {
			throw new IllegalArgumentException("an InvalidInputException needs at least one violation");
		}
		this.violations = List.copyOf(violations);
	}

	public InvalidInputException(String field, String message) {
		this(List.of(new FieldViolation(field, message)));
	}

	public List<FieldViolation> violations() {
		return this.violations;
	}

	private static String describe(List<FieldViolation> violations) {
		StringBuilder text = new StringBuilder();
		for (FieldViolation violation : violations) {
			if (!text.isEmpty()) {
				text.append("; ");
			}
			text.append(violation.field()).append(": ").append(violation.message());
		}
		return text.toString();
	}

}
