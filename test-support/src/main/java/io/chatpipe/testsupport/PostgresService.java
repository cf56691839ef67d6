package io.chatpipe.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A reachable PostgreSQL, with a user that may create databases.
 *
 * @param host the host
 * @param port the port
 * @param username the user
 * @param password the password
 * @param adminDatabase a database to connect to for creating and dropping test databases
 * @param origin where it was found, for the test log
 */
public record PostgresService(String host, int port, String username, String password, String adminDatabase,
		String origin) {

	/** The service without its password, which is never printed. */
	@Override
	public String toString() {
		return "PostgresService[" + this.username + "@" + this.host + ":" + this.port + "/" + this.adminDatabase + ", "
				+ this.origin + "]";
	}

	public String jdbcUrl(String database) {
		return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + database;
	}

	/** A new connection to one of its databases, as this service's user. */
	public Connection connect(String database) throws SQLException {
		return DriverManager.getConnection(jdbcUrl(database), this.username, this.password);
	}

}
