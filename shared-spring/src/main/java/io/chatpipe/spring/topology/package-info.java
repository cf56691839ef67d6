/**
 * The RabbitMQ topology as the publisher and the consumer declare it: typed properties,
 * Spring AMQP declarables, and the check that both tiers agree on the shard count.
 */
package io.chatpipe.spring.topology;
