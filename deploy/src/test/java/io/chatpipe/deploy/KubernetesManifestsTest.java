package io.chatpipe.deploy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.chatpipe.model.Topology;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders every overlay as {@code kubectl kustomize} does, parses each object strictly as
 * its Kubernetes kind, and checks that the manifests agree with the code.
 */
class KubernetesManifestsTest {

	static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
			Map.entry("Namespace", Namespace.class), Map.entry("ConfigMap", ConfigMap.class),
			Map.entry("Secret", Secret.class), Map.entry("Service", Service.class),
			Map.entry("Deployment", Deployment.class), Map.entry("StatefulSet", StatefulSet.class),
			Map.entry("Job", Job.class), Map.entry("CronJob", CronJob.class),
			Map.entry("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
			Map.entry("PodDisruptionBudget", PodDisruptionBudget.class), Map.entry("Ingress", Ingress.class),
			Map.entry("NetworkPolicy", NetworkPolicy.class), Map.entry("PodMonitor", PodMonitor.class),
			Map.entry("PrometheusRule", PrometheusRule.class));

	/**
	 * The operators' kinds have no model here: their specs are held to the fields of the
	 * CRDs this project uses, copied from the operators' references (RabbitMQ Cluster
	 * Operator, CloudNativePG, KEDA).
	 */
	static final Map<String, Set<String>> CUSTOM_SPEC_FIELDS = Map
		.of("RabbitmqCluster",
				Set.of("replicas", "image", "imagePullSecrets", "service", "persistence", "resources", "affinity",
						"tolerations", "rabbitmq", "tls", "override", "skipPostDeploySteps",
						"terminationGracePeriodSeconds", "secretBackend", "delayStartSeconds"),
				"Cluster",
				Set.of("instances", "imageName", "storage", "walStorage", "bootstrap", "postgresql", "resources",
						"affinity", "monitoring", "backup", "superuserSecret", "enableSuperuserAccess",
						"primaryUpdateStrategy", "primaryUpdateMethod", "minSyncReplicas", "maxSyncReplicas", "plugins",
						"managed", "externalClusters"),
				"ScaledObject",
				Set.of("scaleTargetRef", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod",
						"idleReplicaCount", "minReplicaCount", "maxReplicaCount", "fallback", "advanced", "triggers"),
				"TriggerAuthentication",
				Set.of("secretTargetRef", "env", "configMapTargetRef", "podIdentity", "hashiCorpVault", "azureKeyVault",
						"gcpSecretManager", "awsSecretManager"),
				"User", Set.of("tags", "rabbitmqClusterReference", "importCredentialsSecret"), "Permission",
				Set.of("vhost", "user", "userReference", "permissions", "rabbitmqClusterReference"), "ObjectStore",
				Set.of("configuration", "retentionPolicy", "instanceSidecarConfiguration"), "ScheduledBackup",
				Set.of("schedule", "cluster", "method", "pluginConfiguration", "backupOwnerReference", "immediate",
						"suspend", "target", "online"));

	static final Set<String> RABBITMQ_TRIGGER_METADATA = Set.of("host", "hostFromEnv", "protocol", "mode", "value",
			"activationValue", "queueName", "vhostName", "useRegex", "operation", "excludeUnacknowledged", "unsafeSsl",
			"timeout", "pageSize");

	static final Map<String, Rendered> rendered = new HashMap<>();

	static Stream<String> overlays() {
		return Stream.of("local", "production");
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void everyObjectParsesAsItsKindWithNoUnknownField(String overlay) {
		Rendered manifests = render(overlay);
		List<String> problems = new ArrayList<>();
		for (JsonNode document : manifests.documents()) {
			String kind = document.path("kind").asText();
			String where = kind + "/" + document.at("/metadata/name").asText();
			if (KINDS.containsKey(kind)) {
				unknownFields(manifests.typed(document), where, problems);
			}
			else if (CUSTOM_SPEC_FIELDS.containsKey(kind)) {
				document.path("spec").fieldNames().forEachRemaining((field) -> {
					if (!CUSTOM_SPEC_FIELDS.get(kind).contains(field)) {
						problems.add(where + ": unknown spec field " + field);
					}
				});
			}
			else {
				problems.add(where + ": a kind this project does not use");
			}
		}
		assertThat(problems).isEmpty();
	}

	@Test
	void aMisspelledFieldIsReportedAsUnknown() throws IOException {
		JsonNode typo = Project.YAML.readTree("""
				apiVersion: apps/v1
				kind: Deployment
				metadata: {name: typo}
				spec:
				  selector: {matchLabels: {a: b}}
				  template:
				    metadata: {labels: {a: b}}
				    spec:
				      containers:
				        - name: c
				          image: i
				          readinesProbe: {httpGet: {path: /, port: 80}}
				""");
		List<String> problems = new ArrayList<>();
		unknownFields(Project.JSON.treeToValue(typo, Deployment.class), "Deployment/typo", problems);
		assertThat(problems).singleElement().asString().contains("readinesProbe");
	}

	@Test
	void aMisspelledAlertRuleFieldIsReportedAsUnknown() throws IOException {
		JsonNode typo = Project.YAML.readTree("""
				apiVersion: monitoring.coreos.com/v1
				kind: PrometheusRule
				metadata: {name: typo}
				spec:
				  groups:
				    - name: g
				      rules:
				        - alert: A
				          expresion: up == 0
				""");
		List<String> problems = new ArrayList<>();
		unknownFields(Project.JSON.treeToValue(typo, PrometheusRule.class), "PrometheusRule/typo", problems);
		assertThat(problems).singleElement().asString().contains("expresion");
	}

	@Test
	void productionAlertRulesAreTheMonitoringRulesFile() throws IOException {
		JsonNode home = Project.YAML
			.readTree(Project.ROOT.resolve("deploy/monitoring/prometheus/chatpipe-alerts.yml").toFile());
		List<JsonNode> rules = render("production").documents()
			.stream()
			.filter((d) -> d.path("kind").asText().equals("PrometheusRule"))
			.toList();
		assertThat(rules).singleElement()
			.satisfies((rule) -> assertThat(rule.at("/spec/groups"))
				.as("alerts.yaml holds deploy/monitoring/prometheus/chatpipe-alerts.yml's groups: copy them over")
				.isEqualTo(home.path("groups")));
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void probesUseTheActuatorGroupsOnTheTiersOwnPorts(String overlay) {
		Rendered manifests = render(overlay);
		Project.TIER_PORTS.forEach((tier, port) -> {
			assertThat(Project.applicationYml(tier).at("/management/endpoint/health/probes/enabled").asBoolean())
				.as(tier + " exposes the liveness and readiness groups")
				.isTrue();
			Container container = manifests.deployment(tier).getSpec().getTemplate().getSpec().getContainers().get(0);
			assertThat(container.getPorts()).singleElement()
				.satisfies((p) -> assertThat(p.getContainerPort()).as(tier + " port").isEqualTo(port));
			assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
			assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
			assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
		});
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void everyEnvironmentVariableBindsToAPropertyAndEveryReferenceResolves(String overlay) {
		Rendered manifests = render(overlay);
		ConfigMap config = manifests.single(ConfigMap.class);
		List<Secret> secrets = manifests.all(Secret.class);
		List<String> problems = new ArrayList<>();
		manifests.podTemplates().forEach((name, template) -> {
			for (Container container : template.getSpec().getContainers()) {
				for (EnvVar variable : container.getEnv()) {
					if (!Project.NOT_SPRING.contains(variable.getName())
							&& !Project.bindsToAProperty(variable.getName())) {
						problems.add(name + ": " + variable.getName() + " binds to no property of any tier");
					}
					if (variable.getValueFrom() != null && variable.getValueFrom().getConfigMapKeyRef() != null
							&& !config.getData().containsKey(variable.getValueFrom().getConfigMapKeyRef().getKey())) {
						problems.add(name + ": " + variable.getName() + " names a missing ConfigMap key");
					}
					if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
						String secret = variable.getValueFrom().getSecretKeyRef().getName();
						secrets.stream()
							.filter((s) -> s.getMetadata().getName().equals(secret))
							.filter((s) -> !s.getStringData()
								.containsKey(variable.getValueFrom().getSecretKeyRef().getKey()))
							.forEach((s) -> problems
								.add(name + ": " + variable.getName() + " names a missing Secret key"));
					}
				}
			}
		});
		assertThat(problems).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void everyTierHasADeploymentServiceAutoscalerAndDisruptionBudgetWhoseSelectorsMatchItsPods(String overlay) {
		Rendered manifests = render(overlay);
		for (String tier : Project.TIER_PORTS.keySet()) {
			Deployment deployment = manifests.deployment(tier);
			Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
			assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
			assertThat(manifests.named(Service.class, tier).getSpec().getSelector()).as(tier + " Service")
				.isNotEmpty()
				.allSatisfy((key, value) -> assertThat(podLabels).containsEntry(key, value));
			assertThat(manifests.named(PodDisruptionBudget.class, tier).getSpec().getSelector().getMatchLabels())
				.as(tier + " PodDisruptionBudget")
				.allSatisfy((key, value) -> assertThat(podLabels).containsEntry(key, value));
			boolean hpa = manifests.all(HorizontalPodAutoscaler.class)
				.stream()
				.anyMatch((h) -> h.getSpec().getScaleTargetRef().getName().equals(tier));
			boolean keda = manifests.documents()
				.stream()
				.anyMatch((d) -> d.path("kind").asText().equals("ScaledObject")
						&& d.at("/spec/scaleTargetRef/name").asText().equals(tier));
			assertThat(hpa ^ keda).as(tier + " has exactly one autoscaler").isTrue();
		}
		for (Ingress ingress : manifests.all(Ingress.class)) {
			ingress.getSpec().getRules().forEach((rule) -> rule.getHttp().getPaths().forEach((path) -> {
				Service backend = manifests.named(Service.class, path.getBackend().getService().getName());
				assertThat(backend.getSpec().getPorts())
					.anyMatch((p) -> p.getName().equals(path.getBackend().getService().getPort().getName()));
			}));
		}
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void networkPoliciesCoverEveryPodAndOpenEachListenerOnPurpose(String overlay) {
		Rendered manifests = render(overlay);
		List<NetworkPolicy> policies = manifests.all(NetworkPolicy.class);
		assertThat(policies).anyMatch((p) -> p.getSpec().getPodSelector().getMatchLabels() == null
				|| p.getSpec().getPodSelector().getMatchLabels().isEmpty());
		manifests.podTemplates().forEach((name, template) -> {
			boolean listens = template.getSpec()
				.getContainers()
				.stream()
				.anyMatch((c) -> c.getPorts() != null && !c.getPorts().isEmpty());
			boolean opened = policies.stream()
				.map((p) -> p.getSpec().getPodSelector().getMatchLabels())
				.anyMatch((labels) -> labels != null && !labels.isEmpty()
						&& template.getMetadata().getLabels().entrySet().containsAll(labels.entrySet()));
			assertThat(opened).as(name
					+ (listens ? " listens and needs a policy that names it" : " does not listen and must stay closed"))
				.isEqualTo(listens);
		});
	}

	@Test
	void inTheLocalOverlayOnlyThePodsThatNeedThemReachRabbitmqAndPostgresql() {
		Rendered manifests = render("local");
		assertThat(allowedApps(manifests, "rabbitmq")).containsExactlyInAnyOrder("publisher", "consumer", "query-api",
				"chatpipe-replay");
		assertThat(allowedApps(manifests, "postgres")).containsExactlyInAnyOrder("consumer", "query-api",
				"chatpipe-migrate");
	}

	@Test
	void productionScalesTheConsumerOnItsSummedBacklogWithKedaAndReadsFromReplicas() {
		Rendered manifests = render("production");
		JsonNode scaledObject = manifests.documents()
			.stream()
			.filter((d) -> d.path("kind").asText().equals("ScaledObject"))
			.findFirst()
			.orElseThrow();
		// One metric, the backlog summed over every shard queue, not the deepest shard's.
		assertThat(scaledObject.at("/spec/triggers")).singleElement().satisfies((trigger) -> {
			assertThat(trigger.path("type").asText()).isEqualTo("rabbitmq");
			assertThat(trigger.at("/metadata/mode").asText()).isEqualTo("QueueLength");
			assertThat(trigger.at("/metadata/protocol").asText()).isEqualTo("http");
			assertThat(trigger.at("/metadata/useRegex").asText()).isEqualTo("true");
			assertThat(trigger.at("/metadata/operation").asText()).isEqualTo("sum");
			Pattern shards = Pattern.compile(trigger.at("/metadata/queueName").asText());
			int count = Integer.parseInt(manifests.single(ConfigMap.class).getData().get("topology-shards"));
			for (int shard = 0; shard < count; shard++) {
				assertThat(shards.matcher("chatpipe.shard." + shard).matches()).as("shard " + shard).isTrue();
			}
			assertThat(shards.matcher("chatpipe.dead-letters").matches()).isFalse();
			trigger.path("metadata")
				.fieldNames()
				.forEachRemaining((key) -> assertThat(RABBITMQ_TRIGGER_METADATA).contains(key));
			// Through a user that may only look.
			String authentication = trigger.at("/authenticationRef/name").asText();
			JsonNode secretRefs = named(manifests, "TriggerAuthentication", authentication).at("/spec/secretTargetRef");
			String secret = secretRefs.get(0).path("name").asText();
			JsonNode user = manifests.documents()
				.stream()
				.filter((d) -> d.path("kind").asText().equals("User")
						&& d.at("/spec/importCredentialsSecret/name").asText().equals(secret))
				.findFirst()
				.orElseThrow();
			assertThat(user.at("/spec/tags")).extracting(JsonNode::asText).containsExactly("monitoring");
			JsonNode permission = manifests.documents()
				.stream()
				.filter((d) -> d.path("kind").asText().equals("Permission")
						&& d.at("/spec/userReference/name").asText().equals(user.at("/metadata/name").asText()))
				.findFirst()
				.orElseThrow();
			assertThat(List.of("configure", "write", "read"))
				.allSatisfy((right) -> assertThat(permission.at("/spec/permissions/" + right).asText()).isEmpty());
		});
		assertThat(scaledObject.at("/spec/maxReplicaCount").asInt())
			.isEqualTo(Integer.parseInt(manifests.single(ConfigMap.class).getData().get("topology-shards")));
		assertThat(manifests.single(ConfigMap.class).getData())
			.containsEntry("reader-datasource-url", "jdbc:postgresql://chatpipe-db-ro:5432/chatpipe")
			.containsEntry("writer-datasource-url",
					"jdbc:postgresql://chatpipe-db-rw:5432/chatpipe?targetServerType=primary");
		assertThat(manifests.documents()).filteredOn((d) -> d.path("kind").asText().equals("RabbitmqCluster"))
			.singleElement()
			.satisfies((cluster) -> assertThat(cluster.at("/spec/replicas").asInt()).isEqualTo(3));
	}

	@Test
	void productionPostgresqlConfirmsEveryCommitOnAStandbyBeforeTheConsumerAcks() {
		JsonNode cluster = render("production").documents()
			.stream()
			.filter((d) -> d.path("kind").asText().equals("Cluster"))
			.findFirst()
			.orElseThrow();
		assertThat(cluster.at("/spec/instances").asInt()).isGreaterThanOrEqualTo(3);
		JsonNode synchronous = cluster.at("/spec/postgresql/synchronous");
		assertThat(synchronous.path("method").asText()).isIn("any", "first");
		assertThat(synchronous.path("number").asInt()).isBetween(1, cluster.at("/spec/instances").asInt() - 1);
		assertThat(synchronous.path("dataDurability").asText()).isEqualTo("required");
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void theTiersRunNonRootOnAReadOnlyRootWithoutPrivilegeEscalationAndStopGracefully(String overlay) {
		Rendered manifests = render(overlay);
		for (String tier : Project.TIER_PORTS.keySet()) {
			var pod = manifests.deployment(tier).getSpec().getTemplate().getSpec();
			Container container = pod.getContainers().get(0);
			assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
			assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
			assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
			long shutdownPhase = Long.parseLong(Project.applicationYml(tier)
				.at("/spring/lifecycle/timeout-per-shutdown-phase")
				.asText()
				.replace("s", ""));
			long preStop = container.getLifecycle().getPreStop().getSleep().getSeconds();
			assertThat(pod.getTerminationGracePeriodSeconds()).as(tier + " grace period covers preStop + shutdown")
				.isGreaterThan(preStop + shutdownPhase);
			assertThat(pod.getVolumes()).anyMatch((v) -> v.getEmptyDir() != null);
		}
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void autoscaledTiersLeaveTheCountToTheAutoscalerSpreadOverHostsAndZonesAndDrainOnePodAtATime(String overlay) {
		Rendered manifests = render(overlay);
		for (String tier : Project.TIER_PORTS.keySet()) {
			Deployment deployment = manifests.deployment(tier);
			assertThat(deployment.getSpec().getReplicas()).as(tier + ": an apply must not reset the autoscaler's count")
				.isNull();
			Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
			assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).as(tier + " spread")
				.allSatisfy((spread) -> assertThat(podLabels)
					.containsAllEntriesOf(spread.getLabelSelector().getMatchLabels()))
				.extracting((spread) -> spread.getTopologyKey())
				.contains("kubernetes.io/hostname", "topology.kubernetes.io/zone");
			PodDisruptionBudget budget = manifests.named(PodDisruptionBudget.class, tier);
			assertThat(budget.getSpec().getMinAvailable()).as(tier + ": minAvailable lets a drain evict all but one")
				.isNull();
			assertThat(budget.getSpec().getMaxUnavailable()).as(tier + " maxUnavailable").isNotNull();
			assertThat(budget.getSpec().getUnhealthyPodEvictionPolicy())
				.as(tier + ": unready pods must not block a drain")
				.isEqualTo("AlwaysAllow");
		}
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void everyPodOfOursIsRestrictedMountsNoTokenAndGetsTheMemoryItIsLimitedTo(String overlay) {
		Rendered manifests = render(overlay);
		Map<String, PodSpec> pods = new HashMap<>();
		Project.TIER_PORTS.keySet()
			.forEach((tier) -> pods.put(tier, manifests.deployment(tier).getSpec().getTemplate().getSpec()));
		pods.put("chatpipe-migrate", manifests.named(Job.class, "chatpipe-migrate").getSpec().getTemplate().getSpec());
		pods.put("chatpipe-replay",
				manifests.named(CronJob.class, "chatpipe-replay-dead-letters")
					.getSpec()
					.getJobTemplate()
					.getSpec()
					.getTemplate()
					.getSpec());
		pods.forEach((name, pod) -> {
			assertThat(pod.getAutomountServiceAccountToken()).as(name + " mounts no API token").isFalse();
			assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name + " non-root").isTrue();
			assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as(name + " seccomp")
				.isEqualTo("RuntimeDefault");
			for (Container container : pod.getContainers()) {
				assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
				assertThat(container.getSecurityContext().getCapabilities().getDrop()).as(name + " capabilities")
					.containsExactly("ALL");
				var resources = container.getResources();
				assertThat(resources.getRequests().get("memory")).as(name + ": memory requested = limit")
					.isEqualTo(resources.getLimits().get("memory"));
				assertThat(resources.getLimits()).as(name + ": no CPU limit to throttle the JVM")
					.doesNotContainKey("cpu");
				assertThat(resources.getRequests()).as(name + " CPU request").containsKey("cpu");
			}
		});
		Map<String, String> labels = manifests.single(Namespace.class).getMetadata().getLabels();
		assertThat(labels).containsKey("pod-security.kubernetes.io/enforce")
			.containsEntry("pod-security.kubernetes.io/warn", "restricted")
			.containsEntry("pod-security.kubernetes.io/audit", "restricted");
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void theMigrationJobIsReplacedEachReleaseAndWaitsForADatabaseThatIsStillStarting(String overlay) {
		Job job = render(overlay).named(Job.class, "chatpipe-migrate");
		assertThat(job.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "pre-install,pre-upgrade")
			.containsEntry("argocd.argoproj.io/hook", "PreSync");
		assertThat(job.getSpec().getTtlSecondsAfterFinished()).as("a finished Job goes away by itself").isPositive();
		Map<String, String> env = env(job.getSpec().getTemplate().getSpec().getContainers().get(0));
		long retries = Long.parseLong(env.get("SPRING_FLYWAY_CONNECT_RETRIES"));
		long interval = Long.parseLong(env.get("SPRING_FLYWAY_CONNECT_RETRIES_INTERVAL").replace("s", ""));
		assertThat(retries).as("Flyway's connect retries").isPositive();
		assertThat(job.getSpec().getActiveDeadlineSeconds()).as("deadline covers the connect retries")
			.isGreaterThan(retries * interval);
	}

	@Test
	void productionRabbitmqAndPostgresqlKeepOneInstancePerHostAndSurviveADrain() {
		Rendered manifests = render("production");
		JsonNode rabbitmq = custom(manifests, "RabbitmqCluster");
		assertThat(rabbitmq.at("/spec/image").asText()).as("RabbitMQ image pinned").matches(".+:\\d+\\.\\d+\\.\\d+.*");
		assertThat(rabbitmq.at("/spec/resources/requests/memory"))
			.isEqualTo(rabbitmq.at("/spec/resources/limits/memory"));
		JsonNode antiAffinity = rabbitmq
			.at("/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0");
		assertThat(antiAffinity.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
		assertThat(antiAffinity.at("/labelSelector/matchLabels/app.kubernetes.io~1name").asText())
			.isEqualTo(rabbitmq.at("/metadata/name").asText());
		PodDisruptionBudget rabbitmqBudget = manifests.named(PodDisruptionBudget.class, "chatpipe-rabbitmq");
		assertThat(rabbitmqBudget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
		assertThat(rabbitmqBudget.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name",
				rabbitmq.at("/metadata/name").asText());

		JsonNode postgres = custom(manifests, "Cluster");
		assertThat(postgres.at("/spec/imageName").asText()).as("PostgreSQL image pinned").matches(".+:\\d+\\.\\d+.*");
		assertThat(postgres.at("/spec/affinity/podAntiAffinityType").asText()).isEqualTo("required");
		assertThat(postgres.at("/spec/resources/requests/memory"))
			.isEqualTo(postgres.at("/spec/resources/limits/memory"))
			.isNotEqualTo(MissingNode.getInstance());
		assertThat(postgres.at("/spec/walStorage/size").asText()).as("WAL on a volume of its own").isNotEmpty();
		assertThat(postgres.at("/spec/postgresql/parameters/max_slot_wal_keep_size").asText())
			.as("a lagging replica cannot fill the primary's WAL volume")
			.isNotEmpty();
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void theIngressesServeTheirHostsOverTlsAndLetThePublisherJudgeABodysSize(String overlay) {
		List<Ingress> ingresses = render(overlay).all(Ingress.class);
		assertThat(ingresses).isNotEmpty().allSatisfy((ingress) -> {
			List<String> tlsHosts = ingress.getSpec()
				.getTls()
				.stream()
				.flatMap((tls) -> tls.getHosts().stream())
				.toList();
			assertThat(ingress.getSpec().getRules())
				.allSatisfy((rule) -> assertThat(tlsHosts).contains(rule.getHost()));
		});
		String proxyLimit = ingressRouting(ingresses, "/api/send").getMetadata()
			.getAnnotations()
			.get("nginx.ingress.kubernetes.io/proxy-body-size");
		long publisherLimit = Long.parseLong(
				Project.applicationYml("publisher").at("/chatpipe/publisher/max-body-size").asText().replace("KB", ""))
				* 1024;
		assertThat(Long.parseLong(proxyLimit.replace("k", "")) * 1024).as("proxy body limit, bytes")
			.isGreaterThan(publisherLimit);
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void streamsAndLongPollsReachTheQueryApiThroughAProxyThatNeitherCutsNorBuffersThem(String overlay) {
		Rendered manifests = render(overlay);
		List<Ingress> ingresses = manifests.all(Ingress.class);
		JsonNode live = Project.applicationYml("query-api").at("/chatpipe/query/live");
		long heartbeat = Duration.parse("PT" + live.path("heartbeat").asText().toUpperCase()).toSeconds();
		Ingress stream = ingressRouting(ingresses, "/api/stream");
		assertThat(backend(stream, "/api/stream")).isEqualTo("query-api");
		Map<String, String> annotations = stream.getMetadata().getAnnotations();
		assertThat(Long.parseLong(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
			.as("seconds the proxy waits between two writes of a stream")
			.isGreaterThanOrEqualTo(3 * heartbeat);
		assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
		Ingress pull = ingressRouting(ingresses, "/api/pull");
		assertThat(backend(pull, "/api/pull")).isEqualTo("query-api");
		assertThat(Long
			.parseLong(pull.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
			.as("seconds the proxy waits for a long-poll, whose longest wait is 60")
			.isGreaterThan(60);
		assertThat(backend(ingressRouting(ingresses, "/"), "/")).as("the chat page").isEqualTo("query-api");
		Map<String, String> env = env(
				manifests.deployment("query-api").getSpec().getTemplate().getSpec().getContainers().get(0));
		assertThat(env).containsKeys("SPRING_RABBITMQ_HOST", "SPRING_RABBITMQ_USERNAME", "SPRING_RABBITMQ_PASSWORD")
			.as("the page sends to its own origin, which the Ingress routes to the publisher")
			.containsEntry("CHATPIPE_QUERY_PAGE_PUBLISHER_URL", "");
		assertThat(allowedApps(manifests, overlay.equals("local") ? "rabbitmq" : "chatpipe-rabbitmq"))
			.as("the query API hears its wake-ups")
			.contains("query-api");
	}

	@Test
	void productionQueryApiHearsTheStoredNoticesAsAUserThatCanTouchNothingElse() {
		Rendered manifests = render("production");
		String secret = envVar(manifests.deployment("query-api"), "SPRING_RABBITMQ_USERNAME").getValueFrom()
			.getSecretKeyRef()
			.getName();
		JsonNode user = manifests.documents()
			.stream()
			.filter((d) -> d.path("kind").asText().equals("User")
					&& d.at("/spec/importCredentialsSecret/name").asText().equals(secret))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no User imports " + secret));
		JsonNode permissions = manifests.documents()
			.stream()
			.filter((d) -> d.path("kind").asText().equals("Permission")
					&& d.at("/spec/userReference/name").asText().equals(user.at("/metadata/name").asText()))
			.findFirst()
			.orElseThrow()
			.at("/spec/permissions");
		Pattern configure = Pattern.compile(permissions.path("configure").asText());
		Pattern write = Pattern.compile(permissions.path("write").asText());
		Pattern read = Pattern.compile(permissions.path("read").asText());
		Topology topology = Topology.defaults();
		// What it needs: declare the stored exchange and a queue of its own, bind,
		// consume.
		String ownQueue = topology.prefix() + ".live.OnskURVJR0SimwMGqJSTdg";
		assertThat(configure.matcher(topology.storedExchange()).matches()).isTrue();
		assertThat(configure.matcher(ownQueue).matches()).isTrue();
		assertThat(write.matcher(ownQueue).matches()).isTrue();
		assertThat(read.matcher(topology.storedExchange()).matches()).isTrue();
		assertThat(read.matcher(ownQueue).matches()).isTrue();
		// Nothing else: no shard queue, no message exchange, no dead letters.
		for (String other : Stream
			.concat(topology.shardQueues().stream(),
					Stream.of(topology.exchange(), topology.deadLetterExchange(), topology.deadLetterQueue()))
			.toList()) {
			assertThat(Stream.of(configure, write, read)).as(other)
				.noneMatch((right) -> right.matcher(other).matches());
		}
	}

	private static Ingress ingressRouting(List<Ingress> ingresses, String path) {
		return ingresses.stream()
			.filter((ingress) -> ingress.getSpec()
				.getRules()
				.stream()
				.anyMatch((rule) -> rule.getHttp().getPaths().stream().anyMatch((p) -> p.getPath().equals(path))))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no Ingress routes " + path));
	}

	private static String backend(Ingress ingress, String path) {
		return ingress.getSpec()
			.getRules()
			.stream()
			.flatMap((rule) -> rule.getHttp().getPaths().stream())
			.filter((p) -> p.getPath().equals(path))
			.findFirst()
			.orElseThrow()
			.getBackend()
			.getService()
			.getName();
	}

	@Test
	void productionBacksPostgresqlUpContinuouslyAndTheQueryApiReadsAsAReadOnlyRole() {
		Rendered manifests = render("production");
		JsonNode postgres = custom(manifests, "Cluster");
		JsonNode archiver = postgres.at("/spec/plugins/0");
		assertThat(archiver.path("name").asText()).isEqualTo("barman-cloud.cloudnative-pg.io");
		assertThat(archiver.path("isWALArchiver").asBoolean()).as("every WAL segment archived").isTrue();
		JsonNode store = named(manifests, "ObjectStore", archiver.at("/parameters/barmanObjectName").asText());
		assertThat(store.at("/spec/retentionPolicy").asText()).isNotEmpty();
		JsonNode nightly = custom(manifests, "ScheduledBackup");
		assertThat(nightly.at("/spec/cluster/name").asText()).isEqualTo(postgres.at("/metadata/name").asText());
		assertThat(nightly.at("/spec/method").asText()).isEqualTo("plugin");
		assertThat(nightly.at("/spec/pluginConfiguration/name").asText()).isEqualTo(archiver.path("name").asText());

		String secret = envVar(manifests.deployment("query-api"), "SPRING_DATASOURCE_USERNAME").getValueFrom()
			.getSecretKeyRef()
			.getName();
		JsonNode role = null;
		for (JsonNode candidate : postgres.at("/spec/managed/roles")) {
			if (candidate.at("/passwordSecret/name").asText().equals(secret)) {
				role = candidate;
			}
		}
		assertThat(role).as("the query API's credentials are a managed role's").isNotNull();
		assertThat(role.path("inRoles")).extracting(JsonNode::asText).containsExactly("pg_read_all_data");
		assertThat(role.path("superuser").asBoolean(false)).isFalse();
	}

	@Test
	void productionPrometheusScrapesEveryTierRabbitmqAndPostgresqlThroughPodMonitorsItMayReach() {
		Rendered manifests = render("production");
		List<JsonNode> monitors = manifests.documents()
			.stream()
			.filter((d) -> d.path("kind").asText().equals("PodMonitor"))
			.toList();
		for (String tier : Project.TIER_PORTS.keySet()) {
			assertThat(monitors).as(tier + " scraped")
				.anyMatch((monitor) -> monitor.toString().contains("\"" + tier + "\"")
						&& monitor.at("/spec/podMetricsEndpoints/0/path").asText().equals("/actuator/prometheus"));
		}
		assertThat(monitors).as("the tiers' series are labelled job=<tier>, as the dashboard and rules select")
			.anyMatch((monitor) -> monitor.toString().contains("\"publisher\"")
					&& monitor.at("/spec/jobLabel").asText().equals("app.kubernetes.io/name"));
		assertThat(monitors)
			.anyMatch((monitor) -> monitor.at("/spec/podMetricsEndpoints/0/port").asText().equals("prometheus")
					&& monitor.at("/spec/selector/matchLabels/app.kubernetes.io~1name")
						.asText()
						.equals("chatpipe-rabbitmq")
					&& monitor.at("/spec/podMetricsEndpoints/1/path").asText().equals("/metrics/detailed")
					&& monitor.at("/spec/podMetricsEndpoints/1/params/family")
						.toString()
						.equals("[\"queue_coarse_metrics\",\"queue_consumer_count\"]"));
		assertThat(monitors)
			.anyMatch((monitor) -> monitor.at("/spec/podMetricsEndpoints/0/port").asText().equals("metrics")
					&& monitor.at("/spec/selector/matchLabels/cnpg.io~1cluster").asText().equals("chatpipe-db"));
		Map<String, Integer> exporters = Map.of("chatpipe-rabbitmq", 15692, "chatpipe-db", 9187);
		exporters.forEach((app, port) -> assertThat(manifests.all(NetworkPolicy.class))
			.as("the monitoring namespace reaches " + app + ":" + port)
			.anyMatch((policy) -> policy.getSpec()
				.getIngress()
				.stream()
				.anyMatch((rule) -> rule.getPorts() != null && rule.getPorts()
					.stream()
					.anyMatch((p) -> p.getPort().getIntVal() == port.intValue()) && rule.getFrom()
						.stream()
						.anyMatch((peer) -> peer.getNamespaceSelector() != null && "monitoring".equals(
								peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))))));
	}

	/**
	 * What a tier may use outside its capped pools: thread stacks (about 200 threads of
	 * {@code -Xss}) and the JVM's own structures (GC, symbols, compiler arenas).
	 */
	static final long UNCAPPED_ALLOWANCE_MIB = 100;

	@ParameterizedTest
	@MethodSource("overlays")
	void theJvmsCappedPoolsAndItsOtherNeedsFitWithHeadroomInTheMemoryEachTierIsGiven(String overlay)
			throws IOException {
		Map<String, Long> shared = cappedPools(Project.ROOT.resolve("deploy/jvm.options"));
		assertThat(shared).as("every pool outside the stacks capped in deploy/jvm.options")
			.containsOnlyKeys("Xmx", "MaxMetaspaceSize", "ReservedCodeCacheSize", "MaxDirectMemorySize");
		Rendered manifests = render(overlay);
		for (String tier : Project.TIER_PORTS.keySet()) {
			// The tier's own file, read after the shared one, wins where it caps a pool
			// too.
			Map<String, Long> caps = new HashMap<>(shared);
			Path own = Project.ROOT.resolve("deploy/" + tier + ".jvm.options");
			if (Files.isRegularFile(own)) {
				caps.putAll(cappedPools(own));
			}
			long budget = caps.values().stream().mapToLong(Long::longValue).sum() + UNCAPPED_ALLOWANCE_MIB;
			var limit = manifests.deployment(tier)
				.getSpec()
				.getTemplate()
				.getSpec()
				.getContainers()
				.get(0)
				.getResources()
				.getLimits()
				.get("memory");
			long limitMib = Quantity.getAmountInBytes(limit).longValue() / (1024 * 1024);
			assertThat(budget).as(tier + ": the JVM's budget in MiB against 85 % of its " + limitMib + " MiB limit")
				.isLessThanOrEqualTo((long) (0.85 * limitMib));
		}
	}

	/** The pools an options file caps, in MiB, by option. */
	private static Map<String, Long> cappedPools(Path options) throws IOException {
		Map<String, Long> caps = new HashMap<>();
		for (String line : Files.readAllLines(options)) {
			var cap = Pattern
				.compile("^-(?:Xmx|XX:(MaxMetaspaceSize|ReservedCodeCacheSize|MaxDirectMemorySize)=)(\\d+)m$")
				.matcher(line.trim());
			if (cap.matches()) {
				caps.put((cap.group(1) != null) ? cap.group(1) : "Xmx", Long.parseLong(cap.group(2)));
			}
		}
		return caps;
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void deadLettersAreReplayedByAJobOnDemandNeverThroughTheActuatorPrometheusReaches(String overlay) {
		Rendered manifests = render(overlay);
		assertThat(env(manifests.deployment("consumer").getSpec().getTemplate().getSpec().getContainers().get(0)))
			.as("the consumer's actuator may only read the dead letters")
			.containsEntry("MANAGEMENT_ENDPOINT_DEADLETTERS_ACCESS", "READ_ONLY");
		CronJob replay = manifests.named(CronJob.class, "chatpipe-replay-dead-letters");
		assertThat(replay.getSpec().getSuspend()).as("it runs only when an operator creates a Job from it").isTrue();
		var pod = replay.getSpec().getJobTemplate().getSpec().getTemplate();
		assertThat(env(pod.getSpec().getContainers().get(0))).containsEntry("CHATPIPE_CONSUMER_REPLAY_ONLY", "true");
		String broker = overlay.equals("local") ? "rabbitmq" : "chatpipe-rabbitmq";
		assertThat(allowedApps(manifests, broker)).as("the replay Job reaches RabbitMQ")
			.contains(pod.getMetadata().getLabels().get("app.kubernetes.io/name"));
	}

	/** One environment variable of a Deployment's first container. */
	private static EnvVar envVar(Deployment deployment, String name) {
		return deployment.getSpec()
			.getTemplate()
			.getSpec()
			.getContainers()
			.get(0)
			.getEnv()
			.stream()
			.filter((variable) -> variable.getName().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError(deployment.getMetadata().getName() + " has no " + name));
	}

	private static Map<String, String> env(Container container) {
		Map<String, String> env = new HashMap<>();
		container.getEnv().forEach((variable) -> env.put(variable.getName(), variable.getValue()));
		return env;
	}

	private static JsonNode named(Rendered manifests, String kind, String name) {
		return manifests.documents()
			.stream()
			.filter((d) -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " " + name));
	}

	private static JsonNode custom(Rendered manifests, String kind) {
		return manifests.documents()
			.stream()
			.filter((d) -> d.path("kind").asText().equals(kind))
			.findFirst()
			.orElseThrow();
	}

	private static List<String> allowedApps(Rendered manifests, String app) {
		return manifests.all(NetworkPolicy.class)
			.stream()
			.filter((p) -> app.equals(p.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name")))
			.flatMap((p) -> p.getSpec().getIngress().stream())
			.flatMap((rule) -> rule.getFrom().stream())
			.map(NetworkPolicyPeer::getPodSelector)
			.filter((selector) -> selector != null && selector.getMatchLabels() != null)
			.map((selector) -> selector.getMatchLabels().get("app.kubernetes.io/name"))
			.toList();
	}

	/**
	 * Reports every value the model kept in an {@code additionalProperties} map: a field
	 * Kubernetes does not know.
	 */
	static void unknownFields(Object value, String path, List<String> problems) {
		if (value == null) {
			return;
		}
		if (value instanceof Collection<?> collection) {
			int i = 0;
			for (Object element : collection) {
				unknownFields(element, path + "[" + i++ + "]", problems);
			}
			return;
		}
		if (value instanceof Map<?, ?> map) {
			map.forEach((key, element) -> unknownFields(element, path + "." + key, problems));
			return;
		}
		if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")
				&& !value.getClass().getName().startsWith("io.fabric8.openshift.api.model.monitoring")) {
			return;
		}
		for (Method getter : value.getClass().getMethods()) {
			if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
					|| getter.getDeclaringClass() == Object.class) {
				continue;
			}
			try {
				Object child = getter.invoke(value);
				if (getter.getName().equals("getAdditionalProperties")) {
					if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
						problems.add(path + ": unknown field(s) " + extra.keySet());
					}
				}
				else {
					unknownFields(child, path + "." + getter.getName().substring(3), problems);
				}
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException(ex);
			}
		}
	}

	static synchronized Rendered render(String overlay) {
		return rendered.computeIfAbsent(overlay, KubernetesManifestsTest::kustomize);
	}

	private static Rendered kustomize(String overlay) {
		Path dir = Project.ROOT.resolve("deploy/kubernetes/overlays").resolve(overlay);
		String kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
			.map((p) -> Path.of(p, "kubectl"))
			.filter(Files::isExecutable)
			.map(Path::toString)
			.findFirst()
			.orElse(null);
		assertThat(kubectl)
			.as("kubectl renders the overlays, and it is not on the PATH: install it (Debian:"
					+ " apt-get install kubernetes-client; any kubectl 1.27 or newer, whose kustomize is v5)")
			.isNotNull();
		try {
			Process process = new ProcessBuilder(kubectl, "kustomize", dir.toString()).start();
			String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
			process.waitFor(60, TimeUnit.SECONDS);
			assertThat(process.exitValue())
				.as("kubectl kustomize " + dir + " (it needs kubectl 1.27 or newer, whose kustomize is v5): " + errors)
				.isZero();
			List<JsonNode> documents = new ArrayList<>();
			Project.YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).forEachRemaining((d) -> {
				if (d != null && !d.isEmpty()) {
					documents.add(d);
				}
			});
			return new Rendered(documents);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** An overlay as kustomize rendered it. */
	record Rendered(List<JsonNode> documents) {

		HasMetadata typed(JsonNode document) {
			try {
				return Project.JSON.treeToValue(document, KINDS.get(document.path("kind").asText()));
			}
			catch (IOException ex) {
				throw new IllegalStateException("does not parse as its kind: " + document, ex);
			}
		}

		<T extends HasMetadata> List<T> all(Class<T> type) {
			String kind = type.getSimpleName();
			return this.documents.stream()
				.filter((d) -> d.path("kind").asText().equals(kind))
				.map((d) -> type.cast(typed(d)))
				.toList();
		}

		<T extends HasMetadata> T single(Class<T> type) {
			List<T> all = all(type);
			assertThat(all).as("one " + type.getSimpleName()).hasSize(1);
			return all.get(0);
		}

		<T extends HasMetadata> T named(Class<T> type, String name) {
			return all(type).stream()
				.filter((o) -> o.getMetadata().getName().equals(name))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
		}

		Deployment deployment(String name) {
			return named(Deployment.class, name);
		}

		Map<String, PodTemplateSpec> podTemplates() {
			Map<String, PodTemplateSpec> templates = new HashMap<>();
			all(Deployment.class)
				.forEach((d) -> templates.put("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
			all(StatefulSet.class)
				.forEach((s) -> templates.put("StatefulSet/" + s.getMetadata().getName(), s.getSpec().getTemplate()));
			all(Job.class).forEach((j) -> templates.put("Job/" + j.getMetadata().getName(), j.getSpec().getTemplate()));
			return templates;
		}

	}

}
