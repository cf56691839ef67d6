/**
 * What the HTTP tiers (publisher, query API) share: problem+json answers and bounded
 * request bodies.
 */
package io.chatpipe.spring.web;
