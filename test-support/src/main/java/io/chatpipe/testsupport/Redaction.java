package io.chatpipe.testsupport;

import java.util.regex.Pattern;

/**
 * Keeps passwords out of what the tests and the benchmark print or write: the password of
 * every {@code scheme://user:password@host} in a text becomes {@code ***}.
 */
public final class Redaction {

	private static final Pattern URI_PASSWORD = Pattern.compile("(\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\\s]*:)[^@\\s]*@");

	private Redaction() {
	}

	public static String redact(String text) {
		return URI_PASSWORD.matcher(text).replaceAll("$1***@");
	}

}
