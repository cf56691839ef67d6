/**
 * Ingest: one listener container per shard queue hands batches to the
 * {@link io.chatpipe.consumer.ingest.BatchIngester}, which stores them in one transaction
 * each, dead-letters poison with its reason, and acks only after the commit.
 */
package io.chatpipe.consumer.ingest;
