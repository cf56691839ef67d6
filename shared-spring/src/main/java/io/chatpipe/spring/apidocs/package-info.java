/**
 * Each HTTP tier's OpenAPI 3.1 document, written spec-first in its
 * {@code openapi/api.yaml} and served at {@code /v3/api-docs} with a Swagger UI page; the
 * tiers' integration tests check every answer they get against it.
 */
package io.chatpipe.spring.apidocs;
