package io.chatpipe.endtoend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.chatpipe.model.ChatId;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.MessageIds;
import io.chatpipe.model.Topology;
import io.chatpipe.model.WireFormat;
import io.chatpipe.testsupport.TestServices;
import io.chatpipe.testsupport.Tier;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The consumer image as the Kubernetes dead-letter replay Job runs it: storable dead
 * letters go back to their shards, the rest stay, nothing is consumed, and the process
 * exits 0.
 */
class DeadLetterReplayJobIT {

	@Test
	void inReplayOnlyModeTheConsumerReturnsStorableDeadLettersToTheirShardsKeepsTheRestAndExitsZero() throws Exception {
		Topology topology = TestServices.isolatedTopology(2, 5);
		Map<String, Object> properties = new HashMap<>(TestServices.rabbitProperties());
		properties.putAll(TestServices.postgresProperties(TestServices.newDatabase()));
		properties.putAll(TestServices.topologyProperties(topology));
		// A consumer declares the topology, then stops: the replay needs none running.
		Tier.start("consumer", properties).awaitReady(Duration.ofSeconds(90)).close();

		ChatMessage valid = new ChatMessage(MessageIds.random(), ChatId.parse("replay1:replay2"), "replay1", "back",
				1L);
		try (Connection connection = TestServices.rabbitConnectionFactory().newConnection()) {
			Channel channel = connection.createChannel();
			channel.confirmSelect();
			deadLetter(channel, topology, WireFormat.encode(valid), "delivery_limit (a bug, since fixed)");
			deadLetter(channel, topology, "garbage".getBytes(StandardCharsets.UTF_8), "undecodable: not JSON");
			await().atMost(Duration.ofSeconds(10)).until(() -> ready(channel, topology.deadLetterQueue()) == 2);

			properties.put("chatpipe.consumer.replay-only", "true");
			properties.put("spring.main.web-application-type", "none");
			// Nothing listens here: a replay needs RabbitMQ only, never PostgreSQL.
			properties.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:1/none");
			properties.put("spring.flyway.enabled", "false");
			Tier job = Tier.start("consumer", properties);
			assertThat(job.awaitExit(Duration.ofSeconds(90))).as("the Job's exit status").isZero();

			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(
						topology.shardQueues().stream().mapToLong((queue) -> ready(channel, queue)).sum())
					.as("replayed to its shard, and not consumed there")
					.isEqualTo(1));
			assertThat(ready(channel, topology.deadLetterQueue())).as("the garbage stays dead-lettered").isEqualTo(1);
		}
	}

	private static void deadLetter(Channel channel, Topology topology, byte[] body, String reason) throws Exception {
		channel.basicPublish(topology.deadLetterExchange(), "",
				new AMQP.BasicProperties.Builder().deliveryMode(2)
					.headers(Map.of(Topology.REJECTION_REASON_HEADER, reason))
					.build(),
				body);
		channel.waitForConfirmsOrDie(10_000);
	}

	private static long ready(Channel channel, String queue) {
		try {
			return channel.queueDeclarePassive(queue).getMessageCount();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
