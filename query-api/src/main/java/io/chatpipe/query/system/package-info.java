/**
 * The query API's wiring: the schema check behind readiness, and the one place where
 * errors become problem+json.
 */
package io.chatpipe.query.system;
