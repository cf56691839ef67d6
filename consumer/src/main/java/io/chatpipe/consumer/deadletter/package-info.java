/**
 * Dead letters: inspect them, and replay them to their shards once the cause is fixed
 * ({@code /actuator/deadletters}).
 */
package io.chatpipe.consumer.deadletter;
