/**
 * Traces across the queue (Micrometer Tracing with the OpenTelemetry bridge): a send's
 * trace goes from its HTTP request through the message's {@code traceparent} header to
 * the consumer that stores it; spans for the tiers' own work (publish and confirm, the
 * batch's database write, a page's read) hang off the request or message they serve.
 */
package io.chatpipe.spring.tracing;
