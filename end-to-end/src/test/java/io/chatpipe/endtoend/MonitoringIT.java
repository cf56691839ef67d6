package io.chatpipe.endtoend;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.Ports;
import io.chatpipe.testsupport.RabbitNode;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard and the alert rules ({@code deploy/monitoring/}) read metrics that exist:
 * the three tiers as processes and a RabbitMQ node of the test's own, with the plugins
 * the compose stack enables ({@code rabbitmq_prometheus}), carry a message from send to
 * pull; then every metric any rule or panel names must be in a scrape of the tiers'
 * {@code /actuator/prometheus} or of RabbitMQ's {@code /metrics/detailed} (as Prometheus
 * scrapes them), each where its {@code job} says.
 */
class MonitoringIT {

	static final Path MONITORING = Path.of(System.getProperty("chatpipe.root", ".."))
		.toAbsolutePath()
		.normalize()
		.resolve("deploy/monitoring");

	/** Made by Prometheus itself for each target, not scraped. */
	static final Set<String> PROMETHEUS_OWN = Set.of("up");

	/**
	 * What Prometheus scrapes from RabbitMQ
	 * (deploy/monitoring/prometheus/prometheus.yml).
	 */
	static final String RABBITMQ_DETAILED = "/metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count";

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@Test
	void everyMetricTheAlertRulesAndTheDashboardNameIsServed(@TempDir Path work) throws Exception {
		int amqp = Ports.free(25700, 25799);
		int prometheus = Ports.free(25800, 25899);
		int management = Ports.free(25900, 25999);
		try (RabbitNode broker = new RabbitNode(work, "chatpipe-monitoring@localhost", amqp,
				"prometheus.tcp.port = " + prometheus + "\nmanagement.tcp.port = " + management + "\n",
				Files.readString(MONITORING.resolve("rabbitmq/enabled_plugins")))) {
			broker.start();
			Topology topology = TestServices.isolatedTopology(4, 20);
			Map<String, Object> rabbit = new HashMap<>(broker.springProperties());
			rabbit.putAll(TestServices.topologyProperties(topology));
			Map<String, Object> both = new HashMap<>(rabbit);
			both.putAll(TestServices.postgresProperties(TestServices.newDatabase()));
			try (Tier consumer = Tier.start("consumer", both);
					Tier publisher = Tier.start("publisher", rabbit);
					Tier queryApi = Tier.start("query-api", both)) {
				CompletableFuture.allOf(ready(consumer), ready(publisher), ready(queryApi)).join();
				carryAMessage(publisher, queryApi);

				Map<String, Set<String>> served = new LinkedHashMap<>();
				for (Tier tier : List.of(publisher, consumer, queryApi)) {
					served.put(tier.name(), names(scrape(tier.uri("/actuator/prometheus"))));
				}
				URI detailed = URI.create("http://127.0.0.1:" + prometheus + RABBITMQ_DETAILED);
				// Each shard queue, by the name the rules' regex matches, with its
				// consumer.
				await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
					String queues = scrape(detailed);
					for (String shard : topology.shardQueues()) {
						assertThat(shard).matches(".+\\.shard\\.[0-9]+");
						assertThat(queues).containsPattern("rabbitmq_detailed_queue_consumers\\{[^}]*queue=\""
								+ shard.replace(".", "\\.") + "\"[^}]*} 1");
					}
				});
				String queues = scrape(detailed);
				served.put("rabbitmq", names(queues));

				Set<String> all = new TreeSet<>();
				served.values().forEach(all::addAll);
				Set<String> named = new TreeSet<>();
				for (String expression : MetricNames.expressions(MONITORING)) {
					named.addAll(MetricNames.of(expression));
				}
				named.removeAll(PROMETHEUS_OWN);
				assertThat(named).as("metrics the rules and the dashboard name").hasSizeGreaterThan(15);
				assertThat(all).as("metrics served by the tiers and RabbitMQ").containsAll(named);

				// Selected by job: each where the rules and the panels look for it.
				assertThat(served.get("publisher")).contains("http_server_requests_seconds_bucket",
						"chatpipe_publisher_confirm_seconds_bucket");
				assertThat(served.get("query-api")).contains("http_server_requests_seconds_bucket",
						"chatpipe_query_page_read_seconds_bucket", "chatpipe_query_live_subscribers");
				assertThat(served.get("consumer")).contains("chatpipe_consumer_persist_lag_seconds_bucket",
						"chatpipe_consumer_shards_held");
				assertThat(scrape(publisher.uri("/actuator/prometheus")))
					.containsPattern("http_server_requests_seconds_bucket\\{[^}]*uri=\"/api/send\"");
				assertThat(scrape(queryApi.uri("/actuator/prometheus")))
					.containsPattern("http_server_requests_seconds_bucket\\{[^}]*uri=\"/api/pull\"");
				assertThat(queues).contains("queue=\"" + topology.deadLetterQueue() + "\"");
				assertThat(topology.deadLetterQueue()).matches(".+\\.dead-letter");
				for (Tier tier : List.of(publisher, consumer, queryApi)) {
					assertThat(scrape(tier.uri("/actuator/prometheus"))).as(tier.name() + " ready")
						.containsPattern("(?m)^chatpipe_ready 1\\.0$");
				}
			}
		}
	}

	@Test
	void aTierThatRunsButIsNotReadySaysSoInItsMetrics() throws Exception {
		Map<String, Object> properties = new HashMap<>(TestServices.rabbitProperties());
		properties.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + Ports.free(26000, 26099) + "/none");
		try (Tier queryApi = Tier.start("query-api", properties)) {
			await().atMost(Duration.ofSeconds(90))
				.ignoreExceptions()
				.untilAsserted(() -> assertThat(scrape(queryApi.uri("/actuator/prometheus")))
					.containsPattern("(?m)^chatpipe_ready 0\\.0$"));
			HttpResponse<String> readiness = this.http.send(
					HttpRequest.newBuilder(queryApi.uri("/actuator/health/readiness")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(readiness.statusCode()).isEqualTo(503);
		}
	}

	/**
	 * A send, stored by the consumer and read back by a pull: every timer gets a sample.
	 */
	private void carryAMessage(Tier publisher, Tier queryApi) throws Exception {
		HttpResponse<String> sent = this.http.send(HttpRequest.newBuilder(publisher.uri("/api/send"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"chat\":\"m1:m2\",\"sender\":\"m1\",\"text\":\"observed\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(sent.statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.http
				.send(HttpRequest.newBuilder(queryApi.uri("/api/pull?chat=m1:m2&cursor=0&limit=10")).build(),
						HttpResponse.BodyHandlers.ofString())
				.body()).contains("\"text\":\"observed\""));
	}

	private String scrape(URI uri) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(uri.toString()).isEqualTo(200);
		return response.body();
	}

	/** The metric names of a Prometheus text exposition. */
	static Set<String> names(String exposition) {
		Set<String> names = new TreeSet<>();
		exposition.lines().filter((line) -> !line.isBlank() && !line.startsWith("#")).forEach((line) -> {
			int end = 0;
			while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
				end++;
			}
			names.add(line.substring(0, end));
		});
		return names;
	}

	private static CompletableFuture<Void> ready(Tier tier) {
		return CompletableFuture.runAsync(() -> tier.awaitReady(Duration.ofSeconds(90)));
	}

}
