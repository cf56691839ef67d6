package io.chatpipe.testsupport;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiContractTest {

	static final OpenApiContract contract = OpenApiContract
		.of("""
				{"openapi": "3.1.0",
				 "paths": {"/api/thing": {"get": {"responses": {
				   "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
				   "503": {"$ref": "#/components/responses/RetryLater"},
				   "204": {"description": "nothing"}}}}},
				 "components": {
				   "schemas": {
				     "Thing": {"type": "object", "required": ["id"], "additionalProperties": false,
				               "properties": {"id": {"type": "string", "format": "uuid"}}},
				     "Problem": {"type": "object", "required": ["status"]}},
				   "responses": {"RetryLater": {"headers": {"Retry-After": {"schema": {"type": "string", "pattern": "^[1-9][0-9]*$"}}},
				     "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}}
				""");

	@Test
	void anAnswerAsDocumentedPasses() {
		assertThat(problems(200, "application/json", Map.of(), "{\"id\":\"8e276d59-82ad-4eb7-8ef9-ee5164731bf1\"}"))
			.isEmpty();
		assertThat(problems(503, "application/problem+json", Map.of("Retry-After", "2"), "{\"status\":503}")).isEmpty();
		assertThat(problems(204, null, Map.of(), "")).isEmpty();
	}

	@Test
	void aBodyOffItsSchemaFailsNamingWhatIsWrong() {
		assertThat(problems(200, "application/json", Map.of(), "{\"id\":\"not-a-uuid\"}")).singleElement()
			.asString()
			.contains("uuid");
		assertThat(problems(200, "application/json", Map.of(),
				"{\"id\":\"8e276d59-82ad-4eb7-8ef9-ee5164731bf1\",\"x\":1}"))
			.isNotEmpty();
		assertThat(problems(200, "application/json", Map.of(), "{}")).isNotEmpty();
	}

	@Test
	void anUndocumentedStatusMediaTypeHeaderOrPathFails() {
		assertThat(problems(500, "application/json", Map.of(), "{}")).singleElement()
			.asString()
			.contains("status is not documented");
		assertThat(problems(200, "text/plain", Map.of(), "hi")).singleElement().asString().contains("text/plain");
		assertThat(problems(503, "application/problem+json", Map.of(), "{\"status\":503}")).singleElement()
			.asString()
			.contains("Retry-After");
		assertThat(problems(503, "application/problem+json", Map.of("Retry-After", "0"), "{\"status\":503}"))
			.isNotEmpty();
		assertThat(contract.problems("GET", "/api/other", 200, null, (name) -> null, "")).isNotEmpty();
	}

	@Test
	void pathsOutsideTheApiAreNotChecked() {
		assertThat(contract.problems("GET", "/actuator/health", 200, "application/json", (name) -> null, "{}"))
			.isEmpty();
	}

	private static List<String> problems(int status, String contentType, Map<String, String> headers, String body) {
		return contract.problems("GET", "/api/thing", status, contentType, headers::get, body);
	}

}
