/**
 * The publisher's wiring: the confirming RabbitTemplate on a connection of its own, and
 * the one place where errors become problem+json answers.
 */
package io.chatpipe.publisher.system;
