/**
 * Benchmarks: an open-model load generator (fixed arrival rates, latency from each
 * request's intended start) that drives the packaged tiers and reports what they
 * sustained.
 */
package io.chatpipe.perf;
