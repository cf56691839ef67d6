package io.chatpipe.model;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyTest {

	private final Topology topology = Topology.defaults();

	@Test
	void namesCarryThePrefix() {
		Topology test = new Topology("it-42", 3, 5);
		assertThat(test.exchange()).isEqualTo("it-42.messages");
		assertThat(test.shardQueues()).containsExactly("it-42.shard.0", "it-42.shard.1", "it-42.shard.2");
		assertThat(test.deadLetterQueue()).isEqualTo("it-42.dead-letter");
		assertThat(test.storedExchange()).isEqualTo("it-42.stored");
	}

	@Test
	void aChatAlwaysLandsInTheSameShardWhateverItsSpelling() {
		assertThat(this.topology.shardOf(ChatId.parse("Bob:alice")))
			.isEqualTo(this.topology.shardOf(ChatId.parse("alice:bob")));
	}

	@Test
	void shardFunctionIsPinnedAcrossReleases() {
		// FNV-1a of "a1:a2" is 0x37326100 = 926048512 (checked with an independent
		// implementation);
		// a changed function would move chats to other shards while their messages are in
		// flight.
		assertThat(new Topology("p", 7, 1).shardOf(ChatId.parse("a1:a2"))).isEqualTo(926048512 % 7);
		assertThat(new Topology("p", 1000, 1).shardOf(ChatId.parse("a1:a2"))).isEqualTo(926048512 % 1000);
	}

	@Test
	void chatsSpreadOverEveryShard() {
		Map<Integer, Long> perShard = IntStream.range(0, 10_000)
			.mapToObj((i) -> ChatId.parse("user" + i + ":peer" + (i * 7)))
			.collect(Collectors.groupingBy(this.topology::shardOf, Collectors.counting()));
		assertThat(perShard).hasSize(8);
		assertThat(perShard.values()).allSatisfy((count) -> assertThat(count).isBetween(1_000L, 1_500L));
	}

	@Test
	void shardQueuesAreQuorumWithSingleActiveConsumerDeliveryLimitAndAtLeastOnceDeadLettering() {
		assertThat(this.topology.shardQueueArguments()).containsEntry("x-queue-type", "quorum")
			.containsEntry("x-single-active-consumer", true)
			.containsEntry("x-delivery-limit", 20)
			.containsEntry("x-dead-letter-exchange", "chatpipe.dlx")
			.containsEntry("x-dead-letter-strategy", "at-least-once")
			.containsEntry("x-overflow", "reject-publish");
	}

	@Test
	void invalidSettingsAreRefused() {
		assertThatThrownBy(() -> new Topology("has space", 8, 20)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new Topology("ok", 0, 20)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new Topology("ok", 8, 0)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> this.topology.shardQueue(8)).isInstanceOf(IllegalArgumentException.class);
	}

}
