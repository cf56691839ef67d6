package io.chatpipe.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and alert rules as code ({@code deploy/monitoring/}): Prometheus' own
 * {@code promtool} checks the rules and the compose stack's Prometheus configuration and
 * runs the rules' unit tests; every alert is unit-tested and has its runbook in the
 * README; every dashboard panel reads the chosen data source and says what it shows; and
 * compose mounts what Prometheus and Grafana are provisioned from. That every metric they
 * name exists is {@code MonitoringIT}'s (end-to-end), against the running tiers.
 */
class MonitoringTest {

	static final Path MONITORING = Project.ROOT.resolve("deploy/monitoring");

	static final Path RULES = MONITORING.resolve("prometheus/chatpipe-alerts.yml");

	@Test
	void promtoolAcceptsTheAlertRulesAndThePrometheusConfiguration() {
		assertThat(promtool("check", "rules", RULES.toString())).startsWith("0:");
		assertThat(promtool("check", "config", MONITORING.resolve("prometheus/prometheus.yml").toString()))
			.startsWith("0:");
	}

	@Test
	void theAlertRulesPassTheirUnitTests() {
		String result = promtool("test", "rules", MONITORING.resolve("prometheus/chatpipe-alerts-test.yml").toString());
		assertThat(result).startsWith("0:").contains("SUCCESS");
	}

	@Test
	void promtoolRejectsARuleThatIsNoPromql(@TempDir Path dir) throws IOException {
		Path broken = dir.resolve("broken.yml");
		Files.writeString(broken, Files.readString(RULES).replace("> 0\n", "> > 0\n"));
		assertThat(promtool("check", "rules", broken.toString())).doesNotStartWith("0:");
	}

	@Test
	void aUnitTestThatExpectsTheWrongAlertFails(@TempDir Path dir) throws IOException {
		Files.copy(RULES, dir.resolve(RULES.getFileName()));
		Path tests = dir.resolve("tests.yml");
		Files.writeString(tests, Files.readString(MONITORING.resolve("prometheus/chatpipe-alerts-test.yml"))
			.replace("queue: chatpipe.shard.0 }", "queue: chatpipe.shard.1 }"));
		assertThat(promtool("test", "rules", tests.toString())).doesNotStartWith("0:");
	}

	@Test
	void everyAlertIsUnitTestedAndHasARunbookInTheReadme() throws IOException {
		String tests = Files.readString(MONITORING.resolve("prometheus/chatpipe-alerts-test.yml"));
		String readme = Files.readString(Project.ROOT.resolve("README.md"));
		List<String> alerts = alerts().map((rule) -> rule.path("alert").asText()).toList();
		assertThat(alerts).hasSizeGreaterThanOrEqualTo(6);
		for (JsonNode rule : alerts().toList()) {
			String alert = rule.path("alert").asText();
			assertThat(tests).as(alert + " unit-tested").contains("alertname: " + alert + "\n");
			assertThat(rule.at("/annotations/runbook").asText()).isEqualTo("README.md#" + alert.toLowerCase());
			assertThat(readme).as(alert + "'s runbook: a README heading").containsPattern("(?m)^#+ " + alert + "$");
			assertThat(rule.at("/labels/severity").asText()).isIn("warning", "critical");
		}
	}

	@Test
	void theAlertsCoverWhatAnOperatorMustHearOf() {
		String expressions = String.join("\n", alerts().map((rule) -> rule.path("expr").asText()).toList());
		assertThat(expressions).contains("dead-letter", "chatpipe_consumer_persist_lag_seconds_bucket",
				"deriv(rabbitmq_detailed_queue_messages", "rabbitmq_detailed_queue_consumers", "status=\"503\"",
				"chatpipe_ready == 0", "up{");
	}

	@Test
	void everyDashboardPanelReadsTheChosenDataSourceAndSaysWhatItShows() throws IOException {
		JsonNode dashboard = Project.JSON.readTree(MONITORING.resolve("grafana/dashboards/chatpipe.json").toFile());
		assertThat(dashboard.path("uid").asText()).isEqualTo("chatpipe");
		List<String> titles = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			if (panel.path("type").asText().equals("row")) {
				continue;
			}
			String title = panel.path("title").asText();
			titles.add(title);
			assertThat(panel.path("description").asText()).as(title + " description").isNotBlank();
			assertThat(panel.path("targets")).as(title + " queries").isNotEmpty();
			panel.path("targets")
				.forEach((target) -> assertThat(target.at("/datasource/uid").asText()).as(title)
					.isEqualTo("${datasource}"));
		}
		assertThat(titles).contains("Sends by status", "Send latency", "Broker confirm latency", "Depth per shard",
				"Dead letters", "Batches and messages stored", "Persist lag", "Shards held per replica",
				"Pulls by status", "Pull latency", "Heap used", "Database connection pools");
	}

	@Test
	void composeRunsPrometheusAndGrafanaProvisionedFromTheseFiles() throws IOException {
		JsonNode compose = Project.YAML.readTree(Project.ROOT.resolve("deploy/compose.yml").toFile());
		Set<String> mounted = new LinkedHashSet<>();
		for (String service : List.of("prometheus", "grafana", "rabbitmq")) {
			compose.at("/services/" + service + "/volumes").forEach((volume) -> {
				String source = volume.asText().split(":")[0];
				if (source.startsWith("./")) {
					assertThat(Project.ROOT.resolve("deploy").resolve(source)).as(service + " mounts " + source)
						.exists();
					mounted.add(source);
				}
			});
		}
		assertThat(mounted).contains("./monitoring/prometheus", "./monitoring/grafana/provisioning",
				"./monitoring/grafana/dashboards", "./monitoring/rabbitmq/enabled_plugins");
		assertThat(Files.readString(MONITORING.resolve("rabbitmq/enabled_plugins"))).contains("rabbitmq_prometheus");
		JsonNode prometheus = Project.YAML.readTree(MONITORING.resolve("prometheus/prometheus.yml").toFile());
		String scrapes = prometheus.path("scrape_configs").toString();
		Project.TIER_PORTS.forEach((tier, port) -> assertThat(scrapes).contains("\"job_name\":\"" + tier + "\"")
			.contains(tier + (tier.equals("consumer") ? "\"],\"type\":\"A\",\"port\":" + port : ":" + port)));
		assertThat(scrapes).contains("/metrics/detailed", "queue_coarse_metrics", "queue_consumer_count");
	}

	static Stream<JsonNode> alerts() {
		try {
			JsonNode rules = Project.YAML.readTree(RULES.toFile());
			List<JsonNode> all = new ArrayList<>();
			rules.path("groups").forEach((group) -> group.path("rules").forEach(all::add));
			return all.stream();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Runs promtool; its exit code, a colon, then its output. */
	static String promtool(String... arguments) {
		Path promtool = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
			.map((p) -> Path.of(p, "promtool"))
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(null);
		assertThat(promtool)
			.as("promtool checks the alert rules, and it is not on the PATH: install it (Debian: apt-get install"
					+ " prometheus; .ci/run does)")
			.isNotNull();
		List<String> command = new ArrayList<>(List.of(promtool.toString()));
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
			return process.exitValue() + ":" + output;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
