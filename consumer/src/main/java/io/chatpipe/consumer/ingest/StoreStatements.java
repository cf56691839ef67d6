package io.chatpipe.consumer.ingest;

/**
 * The SQL with which {@link MessageStore} stores a batch, in this order and in one
 * transaction. Public, and the one copy of this text: the benchmark runs these very
 * statements with pgbench for the database's raw limit. Every parameter is an array with
 * one element per message (or per chat, for {@link #RESERVE_POSITIONS}).
 */
public final class StoreStatements {

	/** The (chat, message_id) pairs of the batch that are stored already. */
	public static final String FIND_STORED = """
			SELECT m.chat, m.message_id FROM messages m
			JOIN unnest(?::text[], ?::uuid[]) AS k(chat, message_id) USING (chat, message_id)""";

	/**
	 * Reserves each chat's next positions: its last position goes up by the number of its
	 * new messages. Chats are locked in name order, so two writers that share chats (only
	 * during a shard handover) cannot deadlock.
	 */
	public static final String RESERVE_POSITIONS = """
			INSERT INTO chats (chat, last_seq)
			SELECT chat, n FROM unnest(?::text[], ?::bigint[]) AS r(chat, n) ORDER BY chat
			ON CONFLICT (chat) DO UPDATE SET last_seq = chats.last_seq + EXCLUDED.last_seq
			RETURNING chat, last_seq""";

	/** Inserts the new messages at the positions reserved for them. */
	public static final String INSERT_MESSAGES = """
			INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)
			SELECT chat, seq, message_id, sender, text, accepted_ms / 1000, to_timestamp(accepted_ms / 1000.0)
			FROM unnest(?::text[], ?::bigint[], ?::uuid[], ?::text[], ?::text[], ?::bigint[])
			  AS m(chat, seq, message_id, sender, text, accepted_ms)""";

	private StoreStatements() {
	}

}
