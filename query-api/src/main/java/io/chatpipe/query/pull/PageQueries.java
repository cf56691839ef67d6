package io.chatpipe.query.pull;

/**
 * The SQL of a page read, each statement one keyset read on the primary key (chat, seq)
 * that fetches one row more than the limit. Public, and the one copy of this text: the
 * benchmark runs these very statements with pgbench for the database's raw limit.
 * Parameters, in order: the chat, the position to start from (not in
 * {@link #NEWEST_FIRST}), the number of rows.
 */
public final class PageQueries {

	/** Forward from a position, inclusive. */
	public static final String ASCENDING = "SELECT chat, seq, message_id, sender, text, send_time FROM messages"
			+ " WHERE chat = ? AND seq >= ? ORDER BY seq ASC LIMIT ?";

	/** Backward from a position, inclusive. */
	public static final String DESCENDING = "SELECT chat, seq, message_id, sender, text, send_time FROM messages"
			+ " WHERE chat = ? AND seq <= ? ORDER BY seq DESC LIMIT ?";

	/** Backward from the newest message. */
	public static final String NEWEST_FIRST = "SELECT chat, seq, message_id, sender, text, send_time FROM messages"
			+ " WHERE chat = ? ORDER BY seq DESC LIMIT ?";

	/**
	 * Forward from a position in each of several chats, inclusive: the live readers'
	 * reads, one statement for all the chats woken together. Parameters, in order: the
	 * chats ({@code text[]}), the position to start from in each ({@code bigint[]}, in
	 * the same order), the number of rows per chat. Each row names the position it was
	 * read from.
	 */
	public static final String ASCENDING_IN_EACH = "SELECT m.chat, r.from_seq, m.seq, m.message_id, m.sender,"
			+ " m.text, m.send_time FROM unnest(?::text[], ?::bigint[]) AS r(chat, from_seq)"
			+ " CROSS JOIN LATERAL (SELECT chat, seq, message_id, sender, text, send_time FROM messages"
			+ " WHERE chat = r.chat AND seq >= r.from_seq ORDER BY seq ASC LIMIT ?) m";

	private PageQueries() {
	}

}
