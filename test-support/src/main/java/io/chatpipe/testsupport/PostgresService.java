package io.chatpipe.testsupport;

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

	public String jdbcUrl(String database) {
		return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + database;
	}

}
