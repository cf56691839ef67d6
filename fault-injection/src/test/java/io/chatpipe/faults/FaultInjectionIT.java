package io.chatpipe.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.MessageIds;
import io.chatpipe.model.WireFormat;
import io.chatpipe.testsupport.Ports;
import io.chatpipe.testsupport.Tier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Guarantees under real faults: each scenario keeps a steady stream of sends
 * (6 senders over 120 chats, retrying with an Idempotency-Key until they get a 200)
 * running through a fault injected into real processes, then checks that PostgreSQL holds
 * every message answered 200 exactly once, in each sender's order, with gap-free seq. The
 * suite's RabbitMQ node and PostgreSQL cluster are its own, on other ports; it writes its
 * table to {@code target/fault-report.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {

	static final List<Outcome> outcomes = new ArrayList<>();

	static FaultBroker broker;

	static FaultDatabase database;

	@BeforeAll
	static void startServices() throws Exception {
		Path work = Path.of(System.getProperty("chatpipe.faults.work", "target/fault-services"));
		broker = new FaultBroker(work, Ports.free(5670, 5699));
		database = new FaultDatabase(Ports.free(5440, 5499));
		broker.start();
		database.create();
	}

	@AfterAll
	static void report() throws Exception {
		try {
			Outcome.write(outcomes, "fault-report.md", "Fault-injection report");
		}
		finally {
			if (broker != null) {
				broker.close();
			}
			if (database != null) {
				database.close();
			}
		}
	}

	@Test
	@Order(1)
	void aConsumerKilledMidBatchAndRestartedLosesAndDoublesNothing() throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 1, false)) {
			Tier consumer = scenario.consumers.get(0);
			LoadGenerator load = scenario.load();
			for (int kill = 0; kill < 3; kill++) {
				Scenario.hold(Duration.ofMillis(1500 + 700 * kill));
				consumer.kill();
				Scenario.hold(Duration.ofSeconds(1));
				consumer.restart();
				consumer.awaitReady(Scenario.READY);
			}
			Scenario.hold(Duration.ofSeconds(2));
			load.close();
			record(scenario.verify("1. consumer SIGKILLed 3 times under load, restarted", load,
					"3 kills at different points of the batch cycle"))
				.assertClean(0);
		}
	}

	@Test
	@Order(2)
	void whenTheActiveConsumerIsKilledTheOtherTakesOverItsShards() throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 2, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			scenario.consumers.get(0).kill();
			Scenario.hold(Duration.ofSeconds(5));
			load.close();
			record(scenario.verify("2. two consumers, the active one SIGKILLed", load,
					"the standby (single active consumer) took over every shard"))
				.assertClean(0);
		}
	}

	@Test
	@Order(3)
	void whileRabbitmqIsDownSendsAnswer503FastAndEvery200IsStored() throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 1, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			broker.stopApp();
			long down = System.currentTimeMillis();
			Scenario.hold(Duration.ofSeconds(10));
			// The broker takes connections again before start_app returns, so the outage
			// ends when the restart begins.
			long restarting = System.currentTimeMillis();
			broker.startApp();
			long up = System.currentTimeMillis();
			Scenario.hold(Duration.ofSeconds(6));
			load.close();
			List<LoadGenerator.Attempt> during = window(load.attempts, down + 2000, restarting);
			long slowest = percentile(during, 0.99);
			long acceptedAfter = load.attempts.stream()
				.filter((attempt) -> attempt.atMillis() > up && attempt.status() == 200)
				.count();
			Outcome outcome = record(scenario.verify("3. RabbitMQ stopped for 10 s, then started", load,
					during.size() + " answers while down, all 503: p99 " + slowest + " ms; " + acceptedAfter
							+ " 200s after the restart"));
			outcome.assertClean(0);
			assertThat(during).isNotEmpty().allSatisfy((attempt) -> assertThat(attempt.status()).isEqualTo(503));
			assertThat(slowest).as("p99 ms of a 503 while RabbitMQ is down").isLessThan(1000);
			assertThat(acceptedAfter).as("200s after RabbitMQ came back").isPositive();
		}
	}

	@Test
	@Order(4)
	void whilePostgresqlIsDownSendsKeepGetting200AndTheBacklogDrainsAfterwards() throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 1, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			database.stop();
			Scenario.hold(Duration.ofSeconds(15));
			int readiness = status(scenario.consumers.get(0).uri("/actuator/health/readiness"));
			Scenario.hold(Duration.ofSeconds(15));
			database.start();
			Scenario.hold(Duration.ofSeconds(3));
			load.close();
			Outcome outcome = record(scenario.verify("4. PostgreSQL stopped for 30 s, then started", load,
					"consumer readiness during the outage: " + readiness));
			outcome.assertClean(0);
			assertThat(outcome.errors()).as("sends answered other than 200").isZero();
			assertThat(readiness).as("consumer readiness while PostgreSQL is down").isEqualTo(503);
		}
	}

	@Test
	@Order(5)
	void aMemoryAlarmGets503sNotHangsAndSendsRecoverOnceItClears() throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 1, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			broker.raiseMemoryAlarm();
			long raised = System.currentTimeMillis();
			Scenario.hold(Duration.ofSeconds(8));
			broker.clearMemoryAlarm();
			long cleared = System.currentTimeMillis();
			Scenario.hold(Duration.ofSeconds(6));
			load.close();
			List<LoadGenerator.Attempt> errors = window(load.attempts, raised, cleared + 1000).stream()
				.filter((attempt) -> attempt.status() != 200)
				.toList();
			long slowest = percentile(errors, 1.0);
			long acceptedAfter = load.attempts.stream()
				.filter((attempt) -> attempt.atMillis() > cleared + 1000 && attempt.status() == 200)
				.count();
			Outcome outcome = record(scenario.verify("5. memory alarm for 8 s, then cleared", load,
					errors.size() + " errors during the alarm, slowest " + slowest + " ms; " + acceptedAfter
							+ " 200s after it cleared"));
			outcome.assertClean(0);
			assertThat(errors).isNotEmpty().allSatisfy((attempt) -> assertThat(attempt.status()).isEqualTo(503));
			// At once, also for the sends that were awaiting their confirms when the
			// alarm
			// came: never after the 5-s confirm timeout.
			assertThat(slowest).as("slowest answer during the alarm, ms: a 503 at once").isLessThan(1000);
			assertThat(acceptedAfter).isPositive();
		}
	}

	@Test
	@Order(6)
	void poisonInjectedIntoAShardIsDeadLetteredWithItsReasonAndTheStreamAroundItIsStored() throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 1, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(2));
			try (var connection = broker.connect()) {
				Channel channel = connection.createChannel();
				channel.confirmSelect();
				ChatMessage breaksRules = new ChatMessage(MessageIds.random(), ChatId.parse("a:b"), "a", "ok", 1L);
				String intruder = new String(WireFormat.encode(breaksRules), StandardCharsets.UTF_8)
					.replace("\"sender\":\"a\"", "\"sender\":\"intruder\"");
				for (byte[] poison : List.of(new byte[] { (byte) 0xff, 0x00 },
						"{\"not\":\"a message\"}".getBytes(StandardCharsets.UTF_8),
						intruder.getBytes(StandardCharsets.UTF_8))) {
					channel.basicPublish(scenario.topology.exchange(), scenario.topology.routingKey(0),
							new AMQP.BasicProperties.Builder().deliveryMode(2).build(), poison);
				}
				channel.waitForConfirmsOrDie(10_000);
			}
			Scenario.hold(Duration.ofSeconds(3));
			load.close();
			Outcome outcome = record(scenario.verify("6. 3 poison messages injected into a shard", load,
					"garbage bytes, non-message JSON, a sender outside the chat"));
			outcome.assertClean(3);
		}
	}

	@Test
	@Order(7)
	void aPublisherKilledWithSendsInFlightNeverAnswers200ForALostMessage() throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 1, false)) {
			LoadGenerator load = scenario.load();
			Scenario.hold(Duration.ofSeconds(3));
			scenario.publisher.kill();
			Scenario.hold(Duration.ofSeconds(1));
			scenario.publisher.restart();
			scenario.publisher.awaitReady(Scenario.READY);
			Scenario.hold(Duration.ofSeconds(3));
			load.close();
			Outcome outcome = record(scenario.verify("7. publisher SIGKILLed with sends in flight, restarted", load,
					"requests cut by the kill failed (no answer) and were retried with their key"));
			outcome.assertClean(0);
			assertThat(outcome.errors()).isPositive();
		}
	}

	@Test
	@Order(8)
	void aGracefulRollingRestartOfEveryTierUnderLoadFailsNothingOutsideItsWindow() throws Exception {
		try (Scenario scenario = new Scenario(broker, database, 1, true)) {
			LoadGenerator load = scenario.load();
			Puller puller = new Puller(scenario.queryApi.uri("/api/pull?chat=peer0:s0x" + scenario.run));
			Scenario.hold(Duration.ofSeconds(2));
			long[] consumerWindow = restart(scenario.consumers.get(0));
			long[] queryWindow = restart(scenario.queryApi);
			long[] publisherWindow = restart(scenario.publisher);
			Scenario.hold(Duration.ofSeconds(2));
			load.close();
			puller.close();
			long sendErrorsOutside = load.attempts.stream()
				.filter((attempt) -> attempt.status() != 200)
				.filter((attempt) -> outside(attempt.atMillis(), publisherWindow))
				.count();
			long sendErrorsInside = load.attempts.stream().filter((attempt) -> attempt.status() != 200).count()
					- sendErrorsOutside;
			long pullErrorsOutside = puller.failures.stream().filter((at) -> outside(at, queryWindow)).count();
			Outcome outcome = record(scenario.verify("8. graceful rolling restart: consumer, query API, publisher",
					load,
					"windows " + (consumerWindow[1] - consumerWindow[0]) + "/" + (queryWindow[1] - queryWindow[0]) + "/"
							+ (publisherWindow[1] - publisherWindow[0]) + " ms; " + sendErrorsInside
							+ " send errors inside the publisher's, " + sendErrorsOutside + " outside; " + puller.count
							+ " pulls, " + pullErrorsOutside + " failed outside the query API's"));
			outcome.assertClean(0);
			assertThat(sendErrorsOutside).as("send errors outside the publisher's restart window").isZero();
			assertThat(pullErrorsOutside).as("pull errors outside the query API's restart window").isZero();
		}
	}

	private static long[] restart(Tier tier) throws Exception {
		long start = System.currentTimeMillis();
		tier.stop();
		tier.restart();
		tier.awaitReady(Scenario.READY);
		return new long[] { start, System.currentTimeMillis() };
	}

	private static boolean outside(long atMillis, long[] window) {
		// An answer may end up to its timeout after the window opened; allow the HTTP
		// client's 2 s connect timeout.
		return atMillis < window[0] || atMillis > window[1] + 2000;
	}

	private static Outcome record(Outcome outcome) {
		outcomes.add(outcome);
		return outcome;
	}

	private static List<LoadGenerator.Attempt> window(Queue<LoadGenerator.Attempt> attempts, long from, long to) {
		return attempts.stream().filter((attempt) -> attempt.atMillis() >= from && attempt.atMillis() <= to).toList();
	}

	private static long percentile(List<LoadGenerator.Attempt> attempts, double quantile) {
		if (attempts.isEmpty()) {
			return 0;
		}
		long[] millis = attempts.stream()
			.mapToLong((attempt) -> TimeUnit.NANOSECONDS.toMillis(attempt.nanos()))
			.sorted()
			.toArray();
		return millis[(int) Math.min(millis.length - 1, Math.ceil(quantile * millis.length) - 1)];
	}

	private static int status(URI uri) {
		try {
			return HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	/** Pulls one chat over and over, recording when a pull fails. */
	static final class Puller implements AutoCloseable {

		final Queue<Long> failures = new ConcurrentLinkedQueue<>();

		volatile long count;

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Thread thread;

		Puller(URI uri) {
			this.thread = Thread.ofVirtual().start(() -> {
				while (this.running.get()) {
					if (status(uri) != 200) {
						this.failures.add(System.currentTimeMillis());
					}
					this.count++;
					Scenario.hold(Duration.ofMillis(20));
				}
			});
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			this.thread.join();
		}

	}

}
