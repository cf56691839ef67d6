package io.chatpipe.consumer.ingest;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

import org.springframework.amqp.AmqpException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * Decides, in one place, whether a failure to store or dead-letter is transient (retry in
 * place, ack nothing, never count it against a message) or lies with the data (isolate
 * the message that causes it and dead-letter it).
 */
final class FailureClassifier {

	/**
	 * SQLSTATE classes and codes that say the database, not the data, failed: connection
	 * (08), resources (53), operator intervention such as a shutdown (57), system errors
	 * (58), rollback for serialisation or deadlock (40), lock not available (55P03), and
	 * a unique violation (23505), which only a concurrent writer of the same id can cause
	 * because every batch skips the ids already stored. And the states that say the
	 * database is not writable or not migrated yet, which is no message's fault: a
	 * read-only transaction (25006, a standby or a demoted primary reached after a
	 * failover), an undefined table (42P01), column (42703) or function (42883) (a
	 * consumer that started before the migration Job finished).
	 */
	private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53", "57", "58", "40");

	private static final Set<String> TRANSIENT_STATES = Set.of("55P03", "23505", "25006", "42P01", "42703", "42883");

	private FailureClassifier() {
	}

	static boolean isTransient(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof TransientDataAccessException || cause instanceof RecoverableDataAccessException
					|| cause instanceof DataAccessResourceFailureException || cause instanceof TransactionException
					|| cause instanceof DuplicateKeyException || cause instanceof SQLTransientException
					|| cause instanceof SQLRecoverableException || cause instanceof AmqpException) {
				return true;
			}
			if (cause instanceof SQLException sql && sql.getSQLState() != null) {
				String state = sql.getSQLState();
				if (TRANSIENT_STATES.contains(state)
						|| (state.length() >= 2 && TRANSIENT_CLASSES.contains(state.substring(0, 2)))) {
					return true;
				}
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

}
