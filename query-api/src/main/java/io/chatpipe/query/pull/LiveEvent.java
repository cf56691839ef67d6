package io.chatpipe.query.pull;

/**
 * A message as a stream sends it: its seq (the event's id) and its JSON, exactly as a
 * pull gives it, encoded once for every stream that sends it.
 *
 * @param seq the message's position in its chat
 * @param json the message as a pull's JSON shows it
 */
record LiveEvent(long seq, String json) {
}
