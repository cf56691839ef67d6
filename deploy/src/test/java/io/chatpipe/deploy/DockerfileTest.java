package io.chatpipe.deploy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/Dockerfile} against what the build really produces (no Docker engine here
 * to build the images).
 */
class DockerfileTest {

	static String dockerfile;

	@BeforeAll
	static void read() throws IOException {
		dockerfile = Files.readString(Project.ROOT.resolve("deploy/Dockerfile"));
	}

	@Test
	void theJarTheImageExtractsIsTheRunnableJarEachTierBuilds() throws IOException {
		Matcher extract = Pattern.compile("-jar (\\S+) extract --layers --launcher").matcher(dockerfile);
		assertThat(extract.find()).as("the Dockerfile extracts a jar's layers").isTrue();
		for (String tier : Project.TIER_PORTS.keySet()) {
			String glob = extract.group(1).replace("${TIER}", tier);
			List<Path> matches = new ArrayList<>();
			Path dir = Project.ROOT.resolve(glob).getParent();
			try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Path.of(glob).getFileName().toString())) {
				files.forEach(matches::add);
			}
			assertThat(matches).as(tier + ": " + glob).singleElement();
			try (JarFile jar = new JarFile(matches.get(0).toFile())) {
				assertThat(jar.getEntry("BOOT-INF/layers.idx")).as("layers to extract").isNotNull();
				String launcher = dockerfile
					.replaceAll("(?s).*ENTRYPOINT \\[\"java\", \"@/app/jvm.options\", \"([^\"]+)\"\\].*", "$1");
				assertThat(jar.getEntry(launcher.replace('.', '/') + ".class")).as("ENTRYPOINT class " + launcher)
					.isNotNull();
			}
		}
	}

	@Test
	void theImageRunsAJre25WithTheTiersJvmOptionsAsANonRootUserWithoutAHealthcheck() {
		List<String> stages = Pattern.compile("(?m)^FROM (\\S+)")
			.matcher(dockerfile)
			.results()
			.map((m) -> m.group(1))
			.toList();
		assertThat(stages).as("pinned to an exact release")
			.containsExactly("eclipse-temurin:25.0.3_9-jdk", "eclipse-temurin:25.0.3_9-jre");
		assertThat(dockerfile).containsPattern("(?m)^USER 10001:10001$").doesNotContainPattern("(?m)^HEALTHCHECK");
		// The options files every other way of running a tier uses, the tier's own last,
		// and no second set of options beside them.
		assertThat(dockerfile)
			.containsPattern(
					"(?m)^RUN cat deploy/jvm.options \\$\\(find deploy -maxdepth 1 -name \"\\$\\{TIER}.jvm.options\"\\)"
							+ " > /layers/jvm.options$")
			.containsPattern("(?m)^COPY --from=build /layers/jvm.options ./jvm.options$")
			.contains("ENTRYPOINT [\"java\", \"@/app/jvm.options\",")
			.doesNotContain("JAVA_TOOL_OPTIONS")
			.doesNotContain("JAVA_OPTS");
	}

	@Test
	void everyTiersOwnJvmOptionsFileNamesATier() throws IOException {
		try (DirectoryStream<Path> files = Files.newDirectoryStream(Project.ROOT.resolve("deploy"), "*.jvm.options")) {
			files.forEach((file) -> assertThat(file.getFileName().toString().replace(".jvm.options", ""))
				.as(file + " is read for the tier it names, so it must name one")
				.isIn(Project.TIER_PORTS.keySet()));
		}
	}

	@Test
	void theBuildContextLeavesOutBuildOutput() throws IOException {
		assertThat(Files.readAllLines(Project.ROOT.resolve(".dockerignore"))).contains("**/target/");
	}

}
