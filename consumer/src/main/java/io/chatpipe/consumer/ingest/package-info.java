/**
 * Ingest: the {@link io.chatpipe.consumer.ingest.BatchIngester} stores each batch a shard
 * listener hands it in one transaction, dead-letters poison with its reason, and acks
 * only after the commit.
 */
package io.chatpipe.consumer.ingest;
