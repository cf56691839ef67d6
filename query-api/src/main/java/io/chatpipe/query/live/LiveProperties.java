package io.chatpipe.query.live;

import java.time.Duration;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the query API serves live readers: long-polls ({@code wait}) and streams.
 *
 * @param maxSubscribers the most streams and waiting pulls one replica holds; past it a
 * new one is answered 503 with {@code Retry-After}
 * @param heartbeat how often an idle stream (no message for half of it) gets a comment
 * line, so that proxies keep it open (and a reader that stopped reading is noticed: it is
 * dropped)
 * @param retry the reconnection delay a stream tells its client ({@code retry:})
 * @param idleTimeout how long a stream stays open without a message (checked at each
 * heartbeat); it then ends, and the client reconnects with {@code Last-Event-ID}
 * @param fallbackInterval how often a live reader reads its chat while the wake-up bus is
 * down, and while the database shows less than was announced (a lagging standby)
 * @param recheckInterval how often a live reader reads its chat with no wake-up, even
 * while the bus is up: the bound on the delay a lost wake-up can cause
 */
@Validated
@ConfigurationProperties("chatpipe.query.live")
public record LiveProperties(@DefaultValue("10000") @Min(1) int maxSubscribers, @DefaultValue("15s") Duration heartbeat,
		@DefaultValue("2s") Duration retry, @DefaultValue("5m") Duration idleTimeout,
		@DefaultValue("1s") Duration fallbackInterval, @DefaultValue("30s") Duration recheckInterval) {
}
