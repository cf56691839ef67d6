/**
 * Test support: finds the real RabbitMQ and PostgreSQL the integration tests use, and
 * gives each test context its own share of them (a topology prefix, a database) so tests
 * can run twice, and side by side.
 */
package io.chatpipe.testsupport;
