/**
 * The publisher's wiring: topology declaration, the confirming RabbitTemplate, codecs,
 * and the one place where errors become problem+json answers.
 */
package io.chatpipe.publisher.system;
