package io.chatpipe.deploy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * What the code says, for the deployment files to agree with: each tier's port and
 * configuration properties.
 */
final class Project {

	static final Path ROOT = Path.of(System.getProperty("chatpipe.root", "..")).toAbsolutePath().normalize();

	static final String VERSION = System.getProperty("chatpipe.version", "0.1.0-SNAPSHOT");

	static final YAMLMapper YAML = new YAMLMapper();

	static final ObjectMapper JSON = new ObjectMapper();

	/**
	 * The three tiers and the port each serves (its own application.yml's
	 * {@code server.port}).
	 */
	static final Map<String, Integer> TIER_PORTS = Map.of("publisher", port("publisher"), "consumer", port("consumer"),
			"query-api", port("query-api"));

	/**
	 * Environment variables that are not Spring properties but that the JVM or the images
	 * read.
	 */
	static final Set<String> NOT_SPRING = Set.of("JAVA_TOOL_OPTIONS", "RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS",
			"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "PGDATA");

	private static Set<String> properties;

	private Project() {
	}

	static JsonNode applicationYml(String tier) {
		try {
			return YAML.readTree(ROOT.resolve(tier).resolve("src/main/resources/application.yml").toFile());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int port(String tier) {
		return applicationYml(tier).at("/server/port").asInt();
	}

	/**
	 * Whether an environment variable binds to a property some tier has: its own
	 * (application.yml, and the metadata of its {@code @ConfigurationProperties}) or
	 * Spring Boot's. Spring maps {@code SPRING_DATASOURCE_URL} to
	 * {@code spring.datasource.url}; a dash in a property is written as {@code _} or left
	 * out.
	 */
	static boolean bindsToAProperty(String variable) {
		for (String property : properties()) {
			String upper = property.toUpperCase().replace('.', '_');
			if (variable.equals(upper.replace("-", "_")) || variable.equals(upper.replace("-", ""))) {
				return true;
			}
		}
		return false;
	}

	static synchronized Set<String> properties() {
		if (properties == null) {
			Set<String> names = new TreeSet<>();
			for (String tier : TIER_PORTS.keySet()) {
				flatten("", applicationYml(tier), names);
			}
			// The tiers' own properties, and those they share (the topology's).
			for (String module : Stream.concat(TIER_PORTS.keySet().stream(), Stream.of("shared-spring")).toList()) {
				Path metadata = ROOT.resolve(module)
					.resolve("target/classes/META-INF/spring-configuration-metadata.json");
				if (!Files.isRegularFile(metadata)) {
					throw new IllegalStateException("No configuration metadata at " + metadata
							+ ": build the tiers first (./mvnw verify does)");
				}
				readMetadata(metadata.toFile(), names);
			}
			try {
				Enumeration<URL> boot = Project.class.getClassLoader()
					.getResources("META-INF/spring-configuration-metadata.json");
				while (boot.hasMoreElements()) {
					try (InputStream in = boot.nextElement().openStream()) {
						JSON.readTree(in).path("properties").forEach((p) -> names.add(p.get("name").asText()));
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			properties = names;
		}
		return properties;
	}

	private static void readMetadata(File file, Set<String> names) {
		try {
			JSON.readTree(file).path("properties").forEach((p) -> names.add(p.get("name").asText()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void flatten(String prefix, JsonNode node, Set<String> names) {
		if (node.isObject()) {
			for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
				Map.Entry<String, JsonNode> field = fields.next();
				flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), names);
			}
		}
		else {
			names.add(prefix);
		}
	}

}
