package io.chatpipe.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/compose.yml} against the Compose Specification's JSON schema, and against
 * the code.
 */
class ComposeFileTest {

	static JsonNode compose;

	static JsonSchema schema;

	@BeforeAll
	static void read() throws IOException {
		compose = Project.YAML.readTree(Project.ROOT.resolve("deploy/compose.yml").toFile());
		// Vendored, with its origin and licence, in src/test/resources/compose-spec/.
		ObjectNode specification;
		try (InputStream schemaFile = ComposeFileTest.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
			specification = (ObjectNode) Project.JSON.readTree(schemaFile);
		}
		// Its $id is relative ("compose_spec.json"), which the validator refuses as a
		// base URI; the rules are unchanged.
		specification.put("$id", "https://github.com/compose-spec/compose-spec/schema/compose-spec.json");
		schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(specification);
	}

	@Test
	void composeFileIsValidAgainstTheComposeSpecification() {
		assertThat(schema.validate(compose)).isEmpty();
	}

	@Test
	void theSchemaCheckRejectsAnInvalidComposeFile() throws IOException {
		Set<ValidationMessage> errors = schema.validate(Project.YAML.readTree("""
				services:
				  publisher:
				    image: chatpipe/publisher
				    ports: "8080"
				    restart_policy: always
				"""));
		assertThat(errors).isNotEmpty();
	}

	@Test
	void everyTierIsBuiltFromTheDockerfileAndServesOnItsOwnPort() {
		Project.TIER_PORTS.forEach((tier, port) -> {
			JsonNode service = compose.at("/services/" + tier);
			assertThat(service.isMissingNode()).as(tier + " service").isFalse();
			assertThat(Project.ROOT.resolve("deploy")
				.resolve(service.at("/build/context").asText())
				.resolve(service.at("/build/dockerfile").asText())).isRegularFile();
			assertThat(service.at("/build/args/TIER").asText()).isEqualTo(tier);
			if (!tier.equals("consumer")) {
				assertThat(service.path("ports")).extracting(JsonNode::asText)
					.contains("127.0.0.1:" + port + ":" + port);
			}
		});
		assertThat(compose.at("/services/consumer/deploy/replicas").asInt()).isEqualTo(2);
	}

	@Test
	void everyEnvironmentVariableBindsToAPropertyAndNoCredentialIsTheDefault() {
		List<String> problems = new ArrayList<>();
		for (String tier : Project.TIER_PORTS.keySet()) {
			compose.at("/services/" + tier + "/environment").fieldNames().forEachRemaining((name) -> {
				if (!Project.bindsToAProperty(name)) {
					problems.add(tier + ": " + name + " binds to no property of any tier");
				}
			});
			JsonNode environment = compose.at("/services/" + tier + "/environment");
			assertThat(environment.path("SPRING_RABBITMQ_USERNAME").asText("none")).isNotEqualTo("guest");
			assertThat(environment.path("SPRING_RABBITMQ_PASSWORD").asText("none")).isNotEqualTo("guest");
		}
		assertThat(problems).isEmpty();
	}

	@Test
	void theTiersStartOnlyOnceTheServicesTheyNeedAreHealthy() {
		for (String backing : List.of("rabbitmq", "postgres")) {
			assertThat(compose.at("/services/" + backing + "/healthcheck/test").isMissingNode()).isFalse();
		}
		Map<String, List<String>> needs = Map.of("publisher", List.of("rabbitmq"), "consumer",
				List.of("rabbitmq", "postgres"), "query-api", List.of("postgres"));
		needs.forEach((tier,
				services) -> services.forEach((service) -> assertThat(
						compose.at("/services/" + tier + "/depends_on/" + service + "/condition").asText())
					.as(tier + " waits for " + service)
					.isEqualTo("service_healthy")));
		assertThat(compose.at("/services/rabbitmq/image").asText()).contains("management");
		assertThat(compose.at("/services/rabbitmq/ports")).extracting(JsonNode::asText)
			.contains("127.0.0.1:15672:15672");
		assertThat(compose.at("/services/postgres/volumes/0").asText()).startsWith("postgres-data:");
	}

	@Test
	void everyPortIsPublishedOnLoopbackOnlyTheTiersComeBackAndImagesArePinned() {
		compose.path("services").properties().forEach((service) -> {
			service.getValue()
				.path("ports")
				.forEach((port) -> assertThat(port.asText()).as(service.getKey() + " port").startsWith("127.0.0.1:"));
			String image = service.getValue().path("image").asText();
			if (!image.startsWith("chatpipe/")) {
				assertThat(image).as(service.getKey() + " image: an exact version")
					.matches(".+:v?\\d+\\.\\d+(\\.\\d+)?.*");
			}
		});
		Project.TIER_PORTS.keySet()
			.forEach((tier) -> assertThat(compose.at("/services/" + tier + "/restart").asText()).as(tier + " restart")
				.isEqualTo("unless-stopped"));
		// The Unix socket answers during the image's init-only first start; the TCP port
		// only once the real server runs.
		assertThat(compose.at("/services/postgres/healthcheck/test").toString()).contains("pg_isready -h 127.0.0.1");
	}

}
