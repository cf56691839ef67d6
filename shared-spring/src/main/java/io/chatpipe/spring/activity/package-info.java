/**
 * Each tier's one log line of what it did, every interval instead of one line per
 * message.
 */
package io.chatpipe.spring.activity;
