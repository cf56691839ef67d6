package io.chatpipe.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * A tier's OpenAPI 3.1 document as a contract its answers are held to: for an answer to a
 * documented path, the operation must exist (a CORS preflight aside), the status must be
 * one of its responses, the media type one of that response's, each documented header
 * present and valid, and a JSON body valid against the response's schema (JSON Schema
 * 2020-12, formats asserted). Paths outside {@code /api/} are not the API (actuator,
 * pages) and pass.
 */
public final class OpenApiContract {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

	private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
		.formatAssertionsEnabled(true)
		.build();

	private final JsonNode document;

	private OpenApiContract(JsonNode document) {
		this.document = document;
	}

	/** The contract of a document, as the tier serves it at {@code /v3/api-docs}. */
	public static OpenApiContract of(String json) {
		try {
			JsonNode document = JSON.readTree(json);
			if (!document.path("openapi").asText().startsWith("3.1")) {
				throw new IllegalArgumentException("not an OpenAPI 3.1 document: " + document.path("openapi"));
			}
			return new OpenApiContract(document);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException("not JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * What in an answer the document does not allow; empty when it allows all of it.
	 * @param method the request's method
	 * @param path the request's path, without the query
	 * @param status the answer's status
	 * @param contentType its Content-Type header, or null
	 * @param header its headers, by name
	 * @param body its body ("" when none)
	 */
	public List<String> problems(String method, String path, int status, String contentType,
			Function<String, String> header, String body) {
		List<String> problems = new ArrayList<>();
		if (!path.startsWith("/api/")) {
			return problems;
		}
		String where = method + " " + path + " " + status;
		JsonNode item = this.document.path("paths").path(path);
		if (item.isMissingNode()) {
			problems.add(where + ": the path is not documented");
			return problems;
		}
		JsonNode operation = item.path(method.toLowerCase(Locale.ROOT));
		if (operation.isMissingNode()) {
			if (!method.equals("OPTIONS")) {
				// Another method on a documented path: a problem, whatever the status.
				problems.addAll(body(where, schemaRef("Problem"), "application/problem+json", contentType, body));
			}
			return problems;
		}
		JsonNode response = resolve(operation.path("responses").path(Integer.toString(status)));
		if (response.isMissingNode()) {
			response = resolve(operation.path("responses").path("default"));
		}
		if (response.isMissingNode()) {
			problems.add(where + ": the status is not documented for this operation");
			return problems;
		}
		for (Map.Entry<String, JsonNode> declared : response.path("headers").properties()) {
			JsonNode schema = resolve(declared.getValue()).path("schema");
			String value = header.apply(declared.getKey());
			if (value == null) {
				problems.add(where + ": no " + declared.getKey() + " header, which the document declares");
			}
			else {
				problems.addAll(validate(where + " header " + declared.getKey(), schema,
						JSON.getNodeFactory().textNode(value)));
			}
		}
		JsonNode content = response.path("content");
		if (content.isMissingNode() || content.isEmpty()) {
			if (!body.isEmpty()) {
				problems.add(where + ": a body where the document declares none: " + abbreviate(body));
			}
			return problems;
		}
		String mediaType = (contentType != null) ? MediaType.parseMediaType(contentType).getType() + "/"
				+ MediaType.parseMediaType(contentType).getSubtype() : null;
		if (mediaType == null || !content.has(mediaType)) {
			problems.add(where + ": Content-Type " + contentType + " is not one of " + fieldNames(content));
			return problems;
		}
		problems.addAll(body(where, content.path(mediaType).path("schema"), mediaType, contentType, body));
		return problems;
	}

	/**
	 * The client, checking every answer it gets against the document its server serves at
	 * {@code /v3/api-docs}.
	 */
	public static WebTestClient checking(WebTestClient client) {
		String json = client.get()
			.uri("/v3/api-docs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		OpenApiContract contract = of(json);
		// The schema library's first use loads its meta-schemas, which on a cold JVM can
		// take seconds: here, and not inside the first exchange's response timeout.
		contract.validate("warm-up", JSON.createObjectNode(), JSON.createObjectNode());
		return client.mutate().filter(contract.filter()).build();
	}

	/**
	 * A filter for a WebTestClient that fails an exchange whose answer the document does
	 * not allow. A stream's body is not read (it never ends); its status, media type and
	 * headers are checked.
	 */
	public ExchangeFilterFunction filter() {
		return (request, next) -> next.exchange(request).flatMap((response) -> {
			String contentType = response.headers().contentType().map(MediaType::toString).orElse(null);
			if (contentType != null && contentType.startsWith(MediaType.TEXT_EVENT_STREAM_VALUE)) {
				check(request.method().name(), request.url().getPath(), response, contentType, "");
				return Mono.just(response);
			}
			return response.bodyToMono(String.class).defaultIfEmpty("").map((body) -> {
				check(request.method().name(), request.url().getPath(), response, contentType, body);
				return response.mutate().body(body).build();
			});
		});
	}

	private void check(String method, String path, ClientResponse response, String contentType, String body) {
		List<String> problems = problems(method, path, response.statusCode().value(), contentType,
				(name) -> response.headers().asHttpHeaders().getFirst(name), body);
		if (!problems.isEmpty()) {
			throw new AssertionError("The answer breaks the OpenAPI document: " + problems);
		}
	}

	private List<String> body(String where, JsonNode schema, String mediaType, String contentType, String body) {
		if (contentType == null || !contentType.startsWith(mediaType)) {
			return List.of(where + ": Content-Type " + contentType + ", the document says " + mediaType);
		}
		if (!mediaType.endsWith("json")) {
			return List.of();
		}
		try {
			return validate(where, schema, JSON.readTree(body));
		}
		catch (JsonProcessingException ex) {
			return List.of(where + ": the body is not JSON: " + abbreviate(body));
		}
	}

	private List<String> validate(String where, JsonNode schema, JsonNode value) {
		ObjectNode root = JSON.createObjectNode();
		root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
		root.set("components", this.document.path("components"));
		root.putArray("allOf").add(schema);
		JsonSchema validator = SCHEMAS.getSchema(root, CONFIG);
		Set<ValidationMessage> messages = validator.validate(value);
		return messages.stream()
			.map((message) -> where + ": " + message.getMessage() + " in " + abbreviate(value.toString()))
			.toList();
	}

	private JsonNode resolve(JsonNode node) {
		String ref = node.path("$ref").asText("");
		return ref.startsWith("#/") ? this.document.at(ref.substring(1)) : node;
	}

	private static JsonNode schemaRef(String schema) {
		return JSON.createObjectNode().put("$ref", "#/components/schemas/" + schema);
	}

	private static List<String> fieldNames(JsonNode node) {
		List<String> names = new ArrayList<>();
		node.fieldNames().forEachRemaining(names::add);
		return names;
	}

	private static String abbreviate(String text) {
		return (text.length() > 300) ? text.substring(0, 300) + "…" : text;
	}

}
