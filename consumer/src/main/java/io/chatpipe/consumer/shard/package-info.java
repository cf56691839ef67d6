/**
 * Shard ownership: which consumer replica reads which shard queue. Leases are PostgreSQL
 * advisory locks ({@link io.chatpipe.consumer.shard.ShardLeases}), the
 * {@link io.chatpipe.consumer.shard.ShardBalancer} spreads the shards over the replicas,
 * and {@link io.chatpipe.consumer.shard.ShardListeners} subscribes to exactly the shards
 * this replica holds, handing their batches to ingest.
 */
package io.chatpipe.consumer.shard;
