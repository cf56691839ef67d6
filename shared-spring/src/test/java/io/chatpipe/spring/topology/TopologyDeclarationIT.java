package io.chatpipe.spring.topology;

import java.util.LinkedHashMap;
import java.util.Map;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.amqp.RabbitAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The topology as an application with Spring AMQP declares it, against the real RabbitMQ.
 */
class TopologyDeclarationIT {

	@Test
	void theFirstConnectionDeclaresEveryExchangeQueueAndBinding() throws Exception {
		Topology topology = TestServices.isolatedTopology(3, 7);
		runner(topology).run((context) -> {
			context.getBean(RabbitTemplate.class).execute((channel) -> null);
			try (Connection connection = TestServices.rabbitConnectionFactory().newConnection("topology-check")) {
				Channel channel = connection.createChannel();
				for (String queue : topology.shardQueues()) {
					assertThat(channel.queueDeclarePassive(queue).getQueue()).isEqualTo(queue);
				}
				channel.queueDeclarePassive(topology.deadLetterQueue());
				channel.queueDeclarePassive(topology.shardCountQueue());
				channel.exchangeDeclarePassive(topology.exchange());
				channel.exchangeDeclarePassive(topology.deadLetterExchange());
				channel.exchangeDeclarePassive(topology.storedExchange());
				// The broker compares the declared arguments: a shard queue with others
				// is refused, so these are the ones it holds.
				assertThatThrownBy(() -> channel.queueDeclare(topology.shardQueue(0), true, false, false,
						Map.of("x-queue-type", "quorum")))
					.hasStackTraceContaining("PRECONDITION_FAILED");
			}
		});
	}

	@Test
	void aLostQueueIsDeclaredAgainOnTheNextConnection() throws Exception {
		Topology topology = TestServices.isolatedTopology(2, 5);
		runner(topology).run((context) -> {
			RabbitTemplate rabbit = context.getBean(RabbitTemplate.class);
			rabbit.execute((channel) -> channel.queueDelete(topology.shardQueue(1)));
			context.getBean(CachingConnectionFactory.class).resetConnection();

			rabbit.execute((channel) -> null);

			String redeclared = rabbit
				.execute((channel) -> channel.queueDeclarePassive(topology.shardQueue(1)).getQueue());
			assertThat(redeclared).isEqualTo(topology.shardQueue(1));
		});
	}

	@Test
	void aTierWithAnotherShardCountIsNotReadyWhileTheOthersStayReady() {
		Topology eight = TestServices.isolatedTopology(8, 20);
		Topology sixteen = TestServices.deletedAtExit(new Topology(eight.prefix(), 16, 20));
		runner(eight).run((first) -> {
			first.getBean(RabbitTemplate.class).execute((channel) -> null);
			runner(sixteen).run((second) -> {
				assertThat(second.getBean(ShardCountHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
				assertThat(second.getBean(ShardCountHealthIndicator.class).health().getDetails())
					.containsEntry("shards", 16)
					.containsEntry("queue", eight.shardCountQueue());
				assertThat(first.getBean(ShardCountHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
			});
		});
	}

	@Test
	void aShardCountOutsideItsRulesFailsTheStartNamingTheProperty() {
		runner(new Topology("bad-shards", 8, 20)).withPropertyValues("chatpipe.topology.shards=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("chatpipe.topology")
				.hasStackTraceContaining("shards must be 1..1024, was 0"));
	}

	private static ApplicationContextRunner runner(Topology topology) {
		Map<String, Object> properties = new LinkedHashMap<>(TestServices.rabbitProperties());
		properties.putAll(TestServices.topologyProperties(topology));
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, TopologyAutoConfiguration.class))
			.withPropertyValues(
					properties.entrySet().stream().map((e) -> e.getKey() + "=" + e.getValue()).toArray(String[]::new));
	}

}
