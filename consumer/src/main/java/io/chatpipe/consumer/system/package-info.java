/**
 * The consumer's wiring: the migrate-only mode of the migration Job.
 */
package io.chatpipe.consumer.system;
