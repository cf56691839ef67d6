/**
 * The chat page: a static page at {@code /} for a person trying chatpipe out, which sends
 * through the publisher and shows the chat live through {@code /api/stream}.
 */
package io.chatpipe.query.page;
