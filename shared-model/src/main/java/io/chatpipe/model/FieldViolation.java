package io.chatpipe.model;

/**
 * One broken rule of a request: the field at fault and what is wrong with it.
 *
 * @param field the name of the field as the client sent it (a JSON property, query
 * parameter or header)
 * @param message what is wrong, in words a client developer can act on
 */
public record FieldViolation(String field, String message) {
}
