/**
 * What every tier adds to its metrics for the dashboard and the alert rules
 * ({@code deploy/monitoring/}): its readiness, and latency buckets for its HTTP answers.
 */
package io.chatpipe.spring.metrics;
