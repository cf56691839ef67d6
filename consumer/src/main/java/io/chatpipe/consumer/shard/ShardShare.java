package io.chatpipe.consumer.shard;

import java.util.Comparator;
import java.util.Map;

/**
 * How many shards one replica should take or give back, from what every replica holds.
 * With {@code S} shards and {@code N} replicas each ends with {@code floor(S/N)} or
 * {@code ceil(S/N)} shards. A replica below the floor takes free shards first; one
 * between floor and ceiling takes more only while nobody is below the floor; and when a
 * replica is below the floor with no shard free, only the replica holding the most gives
 * one back per round, so that the replicas never all release at once and oscillate.
 */
final class ShardShare {

	private ShardShare() {
	}

	/**
	 * The change for replica {@code me}.
	 * @param shards how many shards there are
	 * @param me this replica's member key
	 * @param held how many shards each live replica holds, this one included
	 * @param free how many shards nobody holds
	 * @return how many shards to take (positive) or give back (negative)
	 */
	static int change(int shards, int me, Map<Integer, Integer> held, int free) {
		int members = held.size();
		if (members == 0 || !held.containsKey(me)) {
			return 0;
		}
		int floor = shards / members;
		int ceiling = (shards + members - 1) / members;
		int mine = held.get(me);
		boolean someoneBelowFloor = held.values().stream().anyMatch((count) -> count < floor);
		if (mine > ceiling) {
			return ceiling - mine;
		}
		if (mine < floor) {
			return Math.min(floor - mine, free);
		}
		if (mine < ceiling && !someoneBelowFloor) {
			return Math.min(ceiling - mine, free);
		}
		if (mine > floor && someoneBelowFloor && free == 0 && me == richest(held)) {
			return -1;
		}
		return 0;
	}

	private static int richest(Map<Integer, Integer> held) {
		return held.entrySet()
			.stream()
			.max(Comparator.<Map.Entry<Integer, Integer>>comparingInt(Map.Entry::getValue)
				.thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
			.orElseThrow()
			.getKey();
	}

}
