package io.chatpipe.consumer.ingest;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import io.chatpipe.model.ChatMessage;
import org.postgresql.PGStatement;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a batch of messages in one transaction with the three set-based
 * {@link StoreStatements}: find the ids stored already, reserve each chat's next
 * positions with one upsert of the per-chat counters, insert the new messages with one
 * {@code INSERT … SELECT FROM unnest(…)}. See the comment in {@code V1__messages.sql} for
 * why this keeps {@code seq} gap-free and pages stable.
 */
@Component
class MessageStore {

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	MessageStore(JdbcTemplate jdbc, TransactionTemplate transactions) {
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	/**
	 * Stores the messages that are new, in their order, in one transaction. When the
	 * database refuses the batch for its content, stores the messages one by one instead
	 * and reports those it refuses; a transient failure (the database down, a lost
	 * connection) is thrown, and nothing of the batch is stored.
	 */
	StoreOutcome store(List<ChatMessage> messages) {
		List<ChatMessage> distinct = distinctById(messages);
		int repeatedInBatch = messages.size() - distinct.size();
		try {
			StoreOutcome outcome = inTransaction(distinct);
			return new StoreOutcome(outcome.stored(), outcome.duplicates() + repeatedInBatch, List.of(),
					outcome.lastSeqs());
		}
		catch (RuntimeException ex) {
			if (FailureClassifier.isTransient(ex)) {
				throw ex;
			}
			return oneByOne(distinct, repeatedInBatch);
		}
	}

	private StoreOutcome oneByOne(List<ChatMessage> messages, int duplicates) {
		List<ChatMessage> stored = new ArrayList<>();
		List<StoreOutcome.Rejected> rejected = new ArrayList<>();
		Map<String, Long> lastSeqs = new HashMap<>();
		for (ChatMessage message : messages) {
			try {
				StoreOutcome single = inTransaction(List.of(message));
				stored.addAll(single.stored());
				duplicates += single.duplicates();
				lastSeqs.putAll(single.lastSeqs());
			}
			catch (RuntimeException ex) {
				if (FailureClassifier.isTransient(ex)) {
					throw ex;
				}
				rejected.add(new StoreOutcome.Rejected(message, reason(ex)));
			}
		}
		return new StoreOutcome(stored, duplicates, rejected, lastSeqs);
	}

	private StoreOutcome inTransaction(List<ChatMessage> messages) {
		return this.transactions
			.execute((status) -> this.jdbc.execute((ConnectionCallback<StoreOutcome>) (connection) -> {
				Set<Key> stored = findStored(connection, messages);
				List<ChatMessage> fresh = new ArrayList<>(messages.size());
				for (ChatMessage message : messages) {
					if (!stored.contains(Key.of(message))) {
						fresh.add(message);
					}
				}
				Map<String, Long> lastSeqs = Map.of();
				if (!fresh.isEmpty()) {
					lastSeqs = insert(connection, fresh, reservePositions(connection, fresh));
				}
				return new StoreOutcome(fresh, messages.size() - fresh.size(), List.of(), lastSeqs);
			}));
	}

	private Set<Key> findStored(Connection connection, List<ChatMessage> messages) throws SQLException {
		String[] chats = new String[messages.size()];
		UUID[] ids = new UUID[messages.size()];
		for (int i = 0; i < chats.length; i++) {
			chats[i] = messages.get(i).chat().value();
			ids[i] = messages.get(i).messageId();
		}
		Set<Key> stored = new HashSet<>();
		try (PreparedStatement statement = connection.prepareStatement(StoreStatements.FIND_STORED)) {
			// Planned anew each time, for the table's size now. After a few
			// executions the driver would make this a server-side prepared
			// statement, and PostgreSQL could keep the generic plan it chose while
			// the table was empty (a hash join over a scan of all messages) for the
			// connection's life: where autovacuum runs no ANALYZE, every batch
			// would then read every message stored before it.
			statement.unwrap(PGStatement.class).setPrepareThreshold(0);
			statement.setArray(1, connection.createArrayOf("text", chats));
			statement.setArray(2, connection.createArrayOf("uuid", ids));
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					stored.add(new Key(rows.getString(1), rows.getObject(2, UUID.class)));
				}
			}
		}
		return stored;
	}

	/** Returns each chat's first new position. */
	private Map<String, Long> reservePositions(Connection connection, List<ChatMessage> fresh) throws SQLException {
		Map<String, Long> counts = new TreeMap<>();
		for (ChatMessage message : fresh) {
			counts.merge(message.chat().value(), 1L, Long::sum);
		}
		Map<String, Long> next = new HashMap<>();
		try (PreparedStatement statement = connection.prepareStatement(StoreStatements.RESERVE_POSITIONS)) {
			statement.setArray(1, connection.createArrayOf("text", counts.keySet().toArray(String[]::new)));
			statement.setArray(2, connection.createArrayOf("bigint", counts.values().toArray(Long[]::new)));
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					String chat = rows.getString(1);
					next.put(chat, rows.getLong(2) - counts.get(chat) + 1);
				}
			}
		}
		return next;
	}

	/**
	 * Inserts the fresh messages from each chat's first new position; returns each chat's
	 * last.
	 */
	private Map<String, Long> insert(Connection connection, List<ChatMessage> fresh, Map<String, Long> next)
			throws SQLException {
		int n = fresh.size();
		String[] chats = new String[n];
		Long[] seqs = new Long[n];
		UUID[] ids = new UUID[n];
		String[] senders = new String[n];
		String[] texts = new String[n];
		Long[] acceptedAt = new Long[n];
		for (int i = 0; i < n; i++) {
			ChatMessage message = fresh.get(i);
			chats[i] = message.chat().value();
			seqs[i] = next.merge(chats[i], 1L, Long::sum) - 1;
			ids[i] = message.messageId();
			senders[i] = message.sender();
			texts[i] = message.text();
			acceptedAt[i] = message.acceptedAtMillis();
		}
		try (PreparedStatement statement = connection.prepareStatement(StoreStatements.INSERT_MESSAGES)) {
			Array[] arrays = { connection.createArrayOf("text", chats), connection.createArrayOf("bigint", seqs),
					connection.createArrayOf("uuid", ids), connection.createArrayOf("text", senders),
					connection.createArrayOf("text", texts), connection.createArrayOf("bigint", acceptedAt) };
			for (int i = 0; i < arrays.length; i++) {
				statement.setArray(i + 1, arrays[i]);
			}
			statement.executeUpdate();
		}
		Map<String, Long> lastSeqs = new HashMap<>();
		next.forEach((chat, following) -> lastSeqs.put(chat, following - 1));
		return lastSeqs;
	}

	private static List<ChatMessage> distinctById(List<ChatMessage> messages) {
		Map<Key, ChatMessage> first = new LinkedHashMap<>();
		for (ChatMessage message : messages) {
			first.putIfAbsent(Key.of(message), message);
		}
		return (first.size() == messages.size()) ? messages : List.copyOf(first.values());
	}

	private static String reason(RuntimeException ex) {
		Throwable cause = (ex instanceof DataAccessException dataAccess) ? dataAccess.getMostSpecificCause() : ex;
		return "could not be stored: " + cause;
	}

	private record Key(String chat, UUID messageId) {

		static Key of(ChatMessage message) {
			return new Key(message.chat().value(), message.messageId());
		}

	}

}
