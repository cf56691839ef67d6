/**
 * Pulling: {@code GET /api/pull} reads its parameters from the query string or a JSON
 * body, and serves keyset pages on (chat, seq) in either direction, read through JPA on a
 * scheduler of their own, never on the event loop.
 */
package io.chatpipe.query.pull;
