/**
 * Sending: {@code POST /api/send} reads and checks a request, stamps it with an id and a
 * time, publishes it and answers once the broker confirmed it.
 */
package io.chatpipe.publisher.send;
