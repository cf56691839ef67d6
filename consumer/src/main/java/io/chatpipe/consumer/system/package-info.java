/**
 * The consumer's wiring: the topology it consumes and its declaration on every
 * (re)connect.
 */
package io.chatpipe.consumer.system;
