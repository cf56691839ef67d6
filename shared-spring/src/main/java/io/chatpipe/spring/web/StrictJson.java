package io.chatpipe.spring.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.chatpipe.model.InvalidInputException;

/**
 * Reads a request body as exactly one JSON value in valid UTF-8, as the API promises: a
 * duplicate key, anything after the value, and a malformed or overlong UTF-8 sequence are
 * refused ({@link InvalidInputException} on the field {@code body}), never repaired or
 * resolved. Jackson on its own lets the last of two equal keys win, stops reading after
 * the first value, and decodes the overlong {@code C0 AF} as {@code /}; the JDK's UTF-8
 * decoder refuses every sequence that is not the shortest form of a scalar value.
 */
public final class StrictJson {

	private final ObjectReader reader;

	public StrictJson(ObjectMapper json) {
		this.reader = json.reader()
			.with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
			.with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
	}

	/**
	 * The body's one JSON value, or a missing node for an empty body.
	 */
	public JsonNode read(byte[] body) {
		requireUtf8(body);
		try {
			return this.reader.readTree(body);
		}
		catch (JsonProcessingException ex) {
			throw new InvalidInputException("body", "is not valid JSON: " + ex.getOriginalMessage());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void requireUtf8(byte[] body) {
		for (byte b : body) {
			if (b < 0) { // not ASCII: let the strict decoder look at the whole body
				try {
					StandardCharsets.UTF_8.newDecoder()
						.onMalformedInput(CodingErrorAction.REPORT)
						.onUnmappableCharacter(CodingErrorAction.REPORT)
						.decode(ByteBuffer.wrap(body));
				}
				catch (CharacterCodingException ex) {
					throw new InvalidInputException("body", "is not valid UTF-8");
				}
				return;
			}
		}
	}

}
