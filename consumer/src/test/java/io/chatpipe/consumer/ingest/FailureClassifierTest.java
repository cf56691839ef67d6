package io.chatpipe.consumer.ingest;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;

class FailureClassifierTest {

	@Test
	void databaseUnreachableIsTransient() {
		assertThat(FailureClassifier.isTransient(new CannotGetJdbcConnectionException("down"))).isTrue();
		assertThat(FailureClassifier.isTransient(sql("08006"))).isTrue();
		assertThat(FailureClassifier.isTransient(sql("57P01"))).isTrue(); // admin
																			// shutdown
		assertThat(FailureClassifier.isTransient(sql("53300"))).isTrue(); // too many
																			// connections
		assertThat(FailureClassifier.isTransient(sql("40P01"))).isTrue(); // deadlock
	}

	@Test
	void aRollbackThatFailsBecauseTheConnectionIsGoneIsTransient() {
		assertThat(FailureClassifier.isTransient(
				new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"))))
			.isTrue();
	}

	@Test
	void aSchemaNotMigratedYetIsTransientNotTheMessagesFault() {
		assertThat(FailureClassifier.isTransient(sql("42P01"))).isTrue(); // table
		assertThat(FailureClassifier.isTransient(sql("42703"))).isTrue(); // column
		assertThat(FailureClassifier.isTransient(sql("42883"))).isTrue(); // function
	}

	@Test
	void aReadOnlyDatabaseIsTransientNotTheMessagesFault() {
		assertThat(FailureClassifier.isTransient(sql("25006"))).isTrue();
	}

	@Test
	void aConcurrentWriterOfTheSameIdIsTransientBecauseTheRetrySkipsTheId() {
		assertThat(FailureClassifier.isTransient(new DuplicateKeyException("race"))).isTrue();
	}

	@Test
	void brokerTroubleWhileDeadLetteringIsTransient() {
		assertThat(FailureClassifier.isTransient(new AmqpConnectException(new RuntimeException("refused")))).isTrue();
	}

	@Test
	void dataTheDatabaseRefusesIsNotTransient() {
		assertThat(FailureClassifier.isTransient(sql("22021"))).isFalse(); // invalid byte
																			// sequence
		assertThat(FailureClassifier.isTransient(new DataIntegrityViolationException("check"))).isFalse();
		assertThat(FailureClassifier.isTransient(new IllegalStateException("bug"))).isFalse();
	}

	private static UncategorizedSQLException sql(String state) {
		return new UncategorizedSQLException("store", "INSERT", new SQLException("failed", state));
	}

}
