package io.chatpipe.spring.apidocs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A tier's OpenAPI document: its {@code openapi/api.yaml} with the components every tier
 * shares ({@code openapi/common.yaml}: the problem+json shape, the errors any request may
 * get) merged in. A component defined in both is a mistake, and fails the load.
 */
public final class ApiDocs {

	/** Where a tier serves it, as JSON. */
	public static final String PATH = "/v3/api-docs";

	/** The tier's own document, on its classpath. */
	public static final String TIER_DOCUMENT = "openapi/api.yaml";

	static final String COMMON_DOCUMENT = "openapi/common.yaml";

	private static final ObjectMapper JSON = new ObjectMapper();

	private final ObjectNode document;

	private ApiDocs(ObjectNode document) {
		this.document = document;
	}

	/** Loads the tier's document from the class loader's {@value #TIER_DOCUMENT}. */
	public static ApiDocs load(ClassLoader classLoader) {
		ObjectNode document = (ObjectNode) read(classLoader, TIER_DOCUMENT);
		JsonNode common = read(classLoader, COMMON_DOCUMENT);
		ObjectNode components = document.withObject("/components");
		for (Map.Entry<String, JsonNode> section : common.path("components").properties()) {
			ObjectNode into = components.withObject("/" + section.getKey());
			for (Iterator<Map.Entry<String, JsonNode>> it = section.getValue().fields(); it.hasNext();) {
				Map.Entry<String, JsonNode> component = it.next();
				if (into.has(component.getKey())) {
					throw new IllegalStateException(TIER_DOCUMENT + " defines " + section.getKey() + "/"
							+ component.getKey() + ", which " + COMMON_DOCUMENT + " already does");
				}
				into.set(component.getKey(), component.getValue());
			}
		}
		return new ApiDocs(document);
	}

	/** The whole document (do not change it). */
	public JsonNode document() {
		return this.document;
	}

	/** The document as JSON. */
	public String json() {
		return this.document.toString();
	}

	private static JsonNode read(ClassLoader classLoader, String resource) {
		try (InputStream in = classLoader.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("No " + resource + " on the classpath");
			}
			Object yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
			return JSON.valueToTree(yaml);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
