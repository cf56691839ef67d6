package io.chatpipe.testsupport;

import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import io.chatpipe.model.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.RabbitMQContainer;

/**
 * Finds the RabbitMQ and PostgreSQL the integration tests run against, in this order: the
 * environment ({@code CHATPIPE_TEST_RABBITMQ_URI}, {@code CHATPIPE_TEST_POSTGRES_URI}),
 * the local machine (127.0.0.1:5672 with guest/guest, 127.0.0.1:5432 as user postgres),
 * then Testcontainers where a Docker engine runs. With none of them a test fails, never
 * skips, with one message saying how to provide the service.
 * <p>
 * Each test context takes its own share: a topology prefix ({@link #isolatedTopology})
 * and a database ({@link #newDatabase}), both removed when the JVM exits, so test runs
 * never see each other's messages.
 */
public final class TestServices {

	public static final String RABBITMQ_URI_VARIABLE = "CHATPIPE_TEST_RABBITMQ_URI";

	public static final String POSTGRES_URI_VARIABLE = "CHATPIPE_TEST_POSTGRES_URI";

	private static final Logger logger = LoggerFactory.getLogger(TestServices.class);

	private static RabbitService rabbit;

	private static PostgresService postgres;

	private TestServices() {
	}

	/** The RabbitMQ to test against; found once per JVM. */
	public static synchronized RabbitService rabbit() {
		if (rabbit == null) {
			rabbit = findRabbit();
			logger.info("Integration tests use RabbitMQ at {}:{} ({})", rabbit.host(), rabbit.port(), rabbit.origin());
		}
		return rabbit;
	}

	/** The PostgreSQL to test against; found once per JVM. */
	public static synchronized PostgresService postgres() {
		if (postgres == null) {
			postgres = findPostgres();
			logger.info("Integration tests use PostgreSQL at {}:{} ({})", postgres.host(), postgres.port(),
					postgres.origin());
		}
		return postgres;
	}

	/**
	 * A topology of its own (prefix {@code it-…}); its exchanges and queues are deleted
	 * when the JVM exits.
	 */
	public static Topology isolatedTopology(int shards, int deliveryLimit) {
		return deletedAtExit(new Topology("it-" + UUID.randomUUID().toString().substring(0, 8), shards, deliveryLimit));
	}

	/**
	 * Deletes the topology's exchanges and queues when the JVM exits, for a topology a
	 * test declares beside an {@link #isolatedTopology} (the same prefix with more
	 * shards, say).
	 */
	public static Topology deletedAtExit(Topology topology) {
		RabbitService service = rabbit();
		CleanupAtExit.register(() -> deleteTopology(service, topology));
		return topology;
	}

	/** A new, empty database of its own; dropped when the JVM exits. Returns its name. */
	public static String newDatabase() {
		PostgresService service = postgres();
		String name = "chatpipe_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		execute(service, "CREATE DATABASE " + name);
		CleanupAtExit.register(() -> execute(service, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
		return name;
	}

	/**
	 * Runs one statement on the service's admin database (e.g. to make a test database
	 * refuse connections).
	 */
	public static void execute(PostgresService service, String sql) {
		try (Connection connection = DriverManager.getConnection(service.jdbcUrl(service.adminDatabase()),
				service.username(), service.password()); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("PostgreSQL refused: " + sql, ex);
		}
	}

	/**
	 * Registers properties with a Spring test's {@code DynamicPropertyRegistry}: pass
	 * {@code registry::add}.
	 */
	@SafeVarargs
	public static void register(BiConsumer<String, Supplier<Object>> registry, Map<String, Object>... properties) {
		for (Map<String, Object> group : properties) {
			group.forEach((name, value) -> registry.accept(name, () -> value));
		}
	}

	/** Spring properties that point an application at the test RabbitMQ. */
	public static Map<String, Object> rabbitProperties() {
		RabbitService service = rabbit();
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.rabbitmq.host", service.host());
		properties.put("spring.rabbitmq.port", service.port());
		properties.put("spring.rabbitmq.username", service.username());
		properties.put("spring.rabbitmq.password", service.password());
		properties.put("spring.rabbitmq.virtual-host", service.virtualHost());
		return properties;
	}

	/**
	 * Spring properties that point an application at a database of the test PostgreSQL.
	 */
	public static Map<String, Object> postgresProperties(String database) {
		PostgresService service = postgres();
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.datasource.url", service.jdbcUrl(database));
		properties.put("spring.datasource.username", service.username());
		properties.put("spring.datasource.password", service.password());
		return properties;
	}

	/** Spring properties that give an application the topology. */
	public static Map<String, Object> topologyProperties(Topology topology) {
		return Map.of("chatpipe.topology.prefix", topology.prefix(), "chatpipe.topology.shards", topology.shards(),
				"chatpipe.topology.delivery-limit", topology.deliveryLimit());
	}

	/**
	 * A new connection factory for the test RabbitMQ, for tests that inspect or feed
	 * queues directly.
	 */
	public static ConnectionFactory rabbitConnectionFactory() {
		RabbitService service = rabbit();
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost(service.host());
		factory.setPort(service.port());
		factory.setUsername(service.username());
		factory.setPassword(service.password());
		factory.setVirtualHost(service.virtualHost());
		factory.setConnectionTimeout(3000);
		return factory;
	}

	private static RabbitService findRabbit() {
		List<String> tried = new ArrayList<>();
		String uri = System.getenv(RABBITMQ_URI_VARIABLE);
		if (uri != null && !uri.isBlank()) {
			RabbitService fromEnvironment = RabbitService.fromUri(uri, RABBITMQ_URI_VARIABLE);
			String problem = rabbitProblem(fromEnvironment);
			if (problem == null) {
				return fromEnvironment;
			}
			tried.add(RABBITMQ_URI_VARIABLE + "=" + Redaction.redact(uri) + " (" + problem + ")");
		}
		else {
			tried.add(RABBITMQ_URI_VARIABLE + " (not set)");
		}
		RabbitService local = new RabbitService("127.0.0.1", 5672, "guest", "guest", "/", "localhost");
		String problem = rabbitProblem(local);
		if (problem == null) {
			return local;
		}
		tried.add("127.0.0.1:5672 guest/guest (" + problem + ")");
		if (dockerAvailable(tried)) {
			RabbitMQContainer container = new RabbitMQContainer("rabbitmq:3.13-management");
			container.start();
			return new RabbitService(container.getHost(), container.getAmqpPort(), container.getAdminUsername(),
					container.getAdminPassword(), "/", "Testcontainers " + container.getDockerImageName());
		}
		throw new IllegalStateException("No RabbitMQ for the integration tests. Tried: " + String.join("; ", tried)
				+ ". Provide one: set " + RABBITMQ_URI_VARIABLE
				+ "=amqp://user:password@host:5672/vhost, or run RabbitMQ on 127.0.0.1:5672 with guest/guest"
				+ " (./chatpipe services starts a local install), or run a Docker engine for Testcontainers.");
	}

	private static PostgresService findPostgres() {
		List<String> tried = new ArrayList<>();
		String uri = System.getenv(POSTGRES_URI_VARIABLE);
		if (uri != null && !uri.isBlank()) {
			PostgresService fromEnvironment = postgresFromUri(uri);
			String problem = postgresProblem(fromEnvironment);
			if (problem == null) {
				return fromEnvironment;
			}
			tried.add(POSTGRES_URI_VARIABLE + "=" + Redaction.redact(uri) + " (" + problem + ")");
		}
		else {
			tried.add(POSTGRES_URI_VARIABLE + " (not set)");
		}
		PostgresService local = new PostgresService("127.0.0.1", 5432, "postgres", "", "postgres", "localhost");
		String problem = postgresProblem(local);
		if (problem == null) {
			return local;
		}
		tried.add("127.0.0.1:5432 user postgres (" + problem + ")");
		if (dockerAvailable(tried)) {
			PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16");
			container.start();
			return new PostgresService(container.getHost(), container.getMappedPort(5432), container.getUsername(),
					container.getPassword(), container.getDatabaseName(),
					"Testcontainers " + container.getDockerImageName());
		}
		throw new IllegalStateException("No PostgreSQL for the integration tests. Tried: " + String.join("; ", tried)
				+ ". Provide one: set " + POSTGRES_URI_VARIABLE
				+ "=postgresql://user:password@host:5432/database (a user that may CREATE DATABASE),"
				+ " or run PostgreSQL on 127.0.0.1:5432 with user postgres (./chatpipe services starts a local install),"
				+ " or run a Docker engine for Testcontainers.");
	}

	private static PostgresService postgresFromUri(String uri) {
		URI parsed = URI.create(uri);
		String[] userInfo = (parsed.getUserInfo() != null) ? parsed.getUserInfo().split(":", 2)
				: new String[] { "postgres" };
		String path = parsed.getPath();
		return new PostgresService(parsed.getHost(), (parsed.getPort() > 0) ? parsed.getPort() : 5432, userInfo[0],
				(userInfo.length > 1) ? userInfo[1] : "",
				(path == null || path.length() <= 1) ? "postgres" : path.substring(1), POSTGRES_URI_VARIABLE);
	}

	private static String rabbitProblem(RabbitService service) {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost(service.host());
		factory.setPort(service.port());
		factory.setUsername(service.username());
		factory.setPassword(service.password());
		factory.setVirtualHost(service.virtualHost());
		factory.setConnectionTimeout(2000);
		try (var connection = factory.newConnection("chatpipe-test-probe")) {
			return null;
		}
		catch (Exception ex) {
			return ex.getClass().getSimpleName() + ": " + ex.getMessage();
		}
	}

	private static String postgresProblem(PostgresService service) {
		Properties properties = new Properties();
		properties.setProperty("user", service.username());
		properties.setProperty("password", service.password());
		properties.setProperty("connectTimeout", "2");
		try (Connection connection = DriverManager.getConnection(service.jdbcUrl(service.adminDatabase()),
				properties)) {
			return null;
		}
		catch (SQLException ex) {
			return ex.getMessage();
		}
	}

	private static boolean dockerAvailable(List<String> tried) {
		try {
			if (DockerClientFactory.instance().isDockerAvailable()) {
				return true;
			}
			tried.add("Testcontainers (no Docker engine)");
		}
		catch (RuntimeException ex) {
			tried.add("Testcontainers (" + ex.getMessage() + ")");
		}
		return false;
	}

	/** Deletes a topology's queues and exchanges over this channel. */
	public static void deleteTopology(Channel channel, Topology topology) throws IOException {
		for (String queue : topology.shardQueues()) {
			channel.queueDelete(queue);
		}
		channel.queueDelete(topology.deadLetterQueue());
		channel.queueDelete(topology.shardCountQueue());
		channel.exchangeDelete(topology.exchange());
		channel.exchangeDelete(topology.deadLetterExchange());
		channel.exchangeDelete(topology.storedExchange());
	}

	private static void deleteTopology(RabbitService service, Topology topology) {
		ConnectionFactory factory = rabbitConnectionFactory();
		try (var connection = factory.newConnection("chatpipe-test-cleanup")) {
			deleteTopology(connection.createChannel(), topology);
		}
		catch (Exception ex) {
			logger.warn("Could not delete the test topology {} on {}:{}: {}", topology.prefix(), service.host(),
					service.port(), ex.getMessage());
		}
	}

}
