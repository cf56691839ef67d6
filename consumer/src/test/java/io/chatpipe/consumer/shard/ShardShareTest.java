package io.chatpipe.consumer.shard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ShardShareTest {

	@Test
	void aLoneReplicaTakesEveryFreeShard() {
		assertThat(ShardShare.change(8, 1, Map.of(1, 0), 8)).isEqualTo(8);
	}

	@Test
	void aReplicaAboveTheCeilingGivesBackTheExcessWhenAnotherJoins() {
		assertThat(ShardShare.change(8, 1, Map.of(1, 8, 2, 0), 0)).isEqualTo(-4);
		assertThat(ShardShare.change(8, 2, Map.of(1, 8, 2, 0), 0)).isZero();
	}

	@Test
	void aNewcomerTakesOnlyWhatIsFree() {
		assertThat(ShardShare.change(8, 2, Map.of(1, 4, 2, 0), 4)).isEqualTo(4);
		assertThat(ShardShare.change(8, 2, Map.of(1, 6, 2, 0), 2)).isEqualTo(2);
	}

	@Test
	void onlyTheRichestReplicaGivesOneBackToAReplicaBelowTheFloor() {
		// 5 replicas, 8 shards: floor 1, ceiling 2; replica 5 has none and nothing is
		// free
		Map<Integer, Integer> held = Map.of(1, 2, 2, 2, 3, 2, 4, 2, 5, 0);
		assertThat(ShardShare.change(8, 1, held, 0)).isEqualTo(-1);
		assertThat(ShardShare.change(8, 2, held, 0)).isZero();
		assertThat(ShardShare.change(8, 4, held, 0)).isZero();
	}

	@Test
	void aReplicaBetweenFloorAndCeilingLeavesFreeShardsToOneBelowTheFloor() {
		Map<Integer, Integer> held = Map.of(1, 1, 2, 2, 3, 2, 4, 2, 5, 0);
		assertThat(ShardShare.change(8, 1, held, 1)).isZero();
		assertThat(ShardShare.change(8, 5, held, 1)).isEqualTo(1);
	}

	@Test
	void aReplicaThatIsNotAMemberChangesNothing() {
		assertThat(ShardShare.change(8, 9, Map.of(1, 8), 0)).isZero();
	}

	@ParameterizedTest(name = "{0} shards over {1} replicas")
	@CsvSource({ "8, 1", "8, 2", "8, 3", "8, 4", "8, 5", "8, 7", "8, 8", "8, 11", "16, 3", "32, 6" })
	void replicasThatJoinOneByOneAndLeaveSettleOnAnEvenSpreadWithEveryShardHeld(int shards, int replicas) {
		Simulation simulation = new Simulation(shards, new Random(shards * 31L + replicas));
		for (int member = 1; member <= replicas; member++) {
			simulation.join(member);
			simulation.settle();
		}
		simulation.join(replicas + 1);
		simulation.settle();
		simulation.leave(1);
		simulation.settle();
	}

	/**
	 * Replicas acting on the same rule in random order, one round each at a time, as the
	 * balancer does against the leases.
	 */
	private static final class Simulation {

		private final int shards;

		private final Random random;

		private final Map<Integer, Set<Integer>> owned = new HashMap<>();

		Simulation(int shards, Random random) {
			this.shards = shards;
			this.random = random;
		}

		void join(int member) {
			this.owned.put(member, new HashSet<>());
		}

		void leave(int member) {
			this.owned.remove(member);
		}

		void settle() {
			for (int round = 0; round < 20; round++) {
				List<Integer> order = new ArrayList<>(this.owned.keySet());
				Collections.shuffle(order, this.random);
				order.forEach(this::round);
			}
			int members = this.owned.size();
			Set<Integer> all = new HashSet<>();
			this.owned.values().forEach((held) -> {
				assertThat(held.size()).isBetween(this.shards / members, (this.shards + members - 1) / members);
				assertThat(Collections.disjoint(all, held)).as("shards held twice").isTrue();
				all.addAll(held);
			});
			assertThat(all).hasSize(this.shards);
		}

		private void round(int member) {
			Map<Integer, Integer> held = new HashMap<>();
			Set<Integer> taken = new HashSet<>();
			this.owned.forEach((key, shards) -> {
				held.put(key, shards.size());
				taken.addAll(shards);
			});
			int change = ShardShare.change(this.shards, member, held, this.shards - taken.size());
			Set<Integer> mine = this.owned.get(member);
			for (int shard = 0; shard < this.shards && change > 0; shard++) {
				if (!taken.contains(shard)) {
					mine.add(shard);
					change--;
				}
			}
			while (change < 0) {
				mine.remove(mine.iterator().next());
				change++;
			}
		}

	}

}
