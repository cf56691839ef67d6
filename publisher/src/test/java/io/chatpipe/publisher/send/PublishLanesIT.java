package io.chatpipe.publisher.send;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.chatpipe.model.Topology;
import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publishing lanes against a real broker: a shard's messages leave on one channel, in
 * order, and a message whose confirm was given up on closes the channel it went out on,
 * after which the shard goes on, in order, on a new one; with a publish window, what
 * queued on every lane within one window goes out together at its end.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class PublishLanesIT {

	static final Topology topology = TestServices.isolatedTopology(4, 5);

	@Autowired
	RabbitTemplate rabbit;

	PublishLanes lanes;

	Connection connection;

	Channel channel;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestServices.register(registry::add, TestServices.rabbitProperties(),
				TestServices.topologyProperties(topology));
	}

	@BeforeEach
	void start() throws Exception {
		// Two lanes for four shards: shards 0 and 2 share lane 0, 1 and 3 lane 1.
		this.lanes = new PublishLanes(this.rabbit, 2, 100, Duration.ZERO);
		this.connection = TestServices.rabbitConnectionFactory().newConnection("chatpipe-test");
		this.channel = this.connection.createChannel();
		for (String queue : topology.shardQueues()) {
			this.channel.queuePurge(queue);
		}
	}

	@AfterEach
	void stop() throws Exception {
		this.lanes.destroy();
		this.connection.close();
	}

	@Test
	void theShardsOfOneLaneShareItsChannelAndEachShardKeepsItsOrder() throws Exception {
		List<PublishLanes.Sent> sent = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			sent.add(confirmed(i % 2 * 2, "m" + i));
		}

		assertThat(sent).extracting(PublishLanes.Sent::lane).containsOnly(sent.get(0).lane());
		assertThat(sent).extracting(PublishLanes.Sent::channel).containsOnly(sent.get(0).channel());
		assertThat(confirmed(1, "other").lane()).isNotSameAs(sent.get(0).lane());
		assertThat(texts(0, 10)).containsExactly("m0", "m2", "m4", "m6", "m8", "m10", "m12", "m14", "m16", "m18");
		assertThat(texts(2, 10)).containsExactly("m1", "m3", "m5", "m7", "m9", "m11", "m13", "m15", "m17", "m19");
	}

	@Test
	void aMessageGivenUpOnClosesItsChannelAndItsShardGoesOnInOrderOnANewOne() throws Exception {
		PublishLanes.Sent first = confirmed(1, "first");
		this.lanes.abandon(first);
		PublishLanes.Sent second = confirmed(1, "second");
		PublishLanes.Sent third = confirmed(3, "third");

		assertThat(second.lane()).isSameAs(first.lane());
		assertThat(second.channel()).isEqualTo(first.channel() + 1);
		assertThat(third.channel()).isEqualTo(second.channel());
		assertThat(texts(1, 2)).containsExactly("first", "second");
	}

	@Test
	void givingUpOnAMessageOfAChannelAlreadyReplacedLeavesTheNewChannelOpen() throws Exception {
		PublishLanes.Sent first = confirmed(0, "first");
		this.lanes.abandon(first);
		PublishLanes.Sent second = confirmed(0, "second");
		this.lanes.abandon(first);
		PublishLanes.Sent third = confirmed(0, "third");

		assertThat(third.channel()).isEqualTo(second.channel());
		assertThat(texts(0, 3)).containsExactly("first", "second", "third");
	}

	@Test
	void aLaneThatWasIdlePublishesAtTheEndOfTheWindowWithWhatQueuedMeanwhileOnEveryLane() throws Exception {
		Duration window = Duration.ofMillis(1000);
		PublishLanes windowed = new PublishLanes(this.rabbit, 2, 100, window);
		try {
			// Start just after a window begins (the windows are multiples of it on the
			// JVM's nanosecond clock), then send to both lanes over the next 300 ms.
			TimeUnit.NANOSECONDS.sleep(PublishLanes.nanosToWindowEnd(window.toNanos()) + 20_000_000);
			long start = System.nanoTime();
			List<CompletableFuture<Long>> handedOver = new ArrayList<>();
			List<CorrelationData> correlations = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				CorrelationData correlation = new CorrelationData("w" + i);
				correlations.add(correlation);
				handedOver.add(windowed.publish(i % 2, topology.exchange(), topology.routingKey(i % 2),
						new Message(("w" + i).getBytes(StandardCharsets.UTF_8), new MessageProperties()), correlation)
					.thenApply((sent) -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
				Thread.sleep(100);
			}

			List<Long> millis = new ArrayList<>();
			for (CompletableFuture<Long> each : handedOver) {
				millis.add(each.get(5, TimeUnit.SECONDS));
			}
			assertThat(millis).allSatisfy((at) -> assertThat(at).isBetween(600L, 1500L));
			assertThat(millis.stream().mapToLong(Long::longValue).max().getAsLong()
					- millis.stream().mapToLong(Long::longValue).min().getAsLong())
				.as("handed over together: %s ms after the first send", millis)
				.isLessThan(150);
			for (CorrelationData correlation : correlations) {
				assertThat(correlation.getFuture().get(5, TimeUnit.SECONDS).isAck()).isTrue();
			}
			assertThat(texts(0, 2)).containsExactly("w0", "w2");
			assertThat(texts(1, 2)).containsExactly("w1", "w3");
		}
		finally {
			windowed.destroy();
		}
	}

	/** Publishes one message to the shard and waits for the broker's confirm. */
	private PublishLanes.Sent confirmed(int shard, String text) throws Exception {
		CorrelationData correlation = new CorrelationData(text);
		PublishLanes.Sent sent = this.lanes
			.publish(shard, topology.exchange(), topology.routingKey(shard),
					new Message(text.getBytes(StandardCharsets.UTF_8), new MessageProperties()), correlation)
			.get(5, TimeUnit.SECONDS);
		assertThat(correlation.getFuture().get(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS).isAck())
			.as("confirmed: " + text)
			.isTrue();
		return sent;
	}

	/**
	 * The texts the shard queue holds, in queue order (a consumer, since single active
	 * consumer queues refuse basic.get), waiting at most 5 s for each of the expected
	 * number and 200 ms for any more.
	 */
	private List<String> texts(int shard, int expected) throws Exception {
		BlockingQueue<String> received = new LinkedBlockingQueue<>();
		String tag = this.channel.basicConsume(topology.shardQueue(shard), true,
				(consumerTag, delivery) -> received.add(new String(delivery.getBody(), StandardCharsets.UTF_8)),
				(consumerTag) -> {
				});
		List<String> texts = new ArrayList<>();
		String text;
		while ((text = received.poll((texts.size() < expected) ? 5000 : 200, TimeUnit.MILLISECONDS)) != null) {
			texts.add(text);
		}
		this.channel.basicCancel(tag);
		return texts;
	}

}
