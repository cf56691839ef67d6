/**
 * Live reading: the wake-up bus (the consumers' stored notices, heard on a queue of this
 * replica's own), the watches that wake each chat's readers, and the bound on how many
 * live readers a replica holds. The database stays the source of truth: a wake-up only
 * says when to read again.
 */
package io.chatpipe.query.live;
