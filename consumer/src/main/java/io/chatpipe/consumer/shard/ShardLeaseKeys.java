package io.chatpipe.consumer.shard;

/**
 * The PostgreSQL advisory-lock keys of the shard leases of one topology: a replica holds
 * {@code (members(prefix), memberKey)} while it lives and {@code (shards(prefix), shard)}
 * for each shard it consumes. Public for tools that must hold every shard back from the
 * consumers (the drain benchmark).
 */
public final class ShardLeaseKeys {

	private ShardLeaseKeys() {
	}

	/** The first key of every member lock of the topology with this prefix. */
	public static int members(String prefix) {
		return (prefix + "/consumers").hashCode() & Integer.MAX_VALUE;
	}

	/** The first key of every shard lock of the topology with this prefix. */
	public static int shards(String prefix) {
		return (prefix + "/shards").hashCode() & Integer.MAX_VALUE;
	}

}
