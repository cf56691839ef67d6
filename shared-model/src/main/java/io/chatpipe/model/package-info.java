/**
 * The wire contract shared by publisher, consumer and query API: chat-id rules, message
 * validation, the message record and its JSON form, message-id derivation, sharding and
 * the RabbitMQ topology. Plain Java, no Spring.
 */
package io.chatpipe.model;
