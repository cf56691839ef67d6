package io.chatpipe.publisher.send;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

import com.rabbitmq.client.BlockedListener;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.stereotype.Component;

/**
 * Decides, before a publish starts, whether it may: while the broker blocks publishing
 * connections (a memory or disk alarm) a send answers 503 at once instead of hanging, and
 * so do the sends that were awaiting their confirms when the block came (the broker holds
 * their confirms until the alarm clears; such a message may still be stored later, which
 * an {@code Idempotency-Key} makes safe to retry); past {@code max-in-flight} unconfirmed
 * publishes it answers 429; while the circuit breaker {@code broker} is open (recent
 * publishes failed) it answers 503 at once, and lets a few through now and then to find
 * out whether the broker is back.
 */
@Component
class BrokerGuard implements ConnectionListener {

	private static final Logger logger = LoggerFactory.getLogger(BrokerGuard.class);

	private final CircuitBreaker breaker;

	private final Semaphore inFlight;

	private final int maxInFlight;

	private final PublishStats stats;

	private volatile String blockedReason;

	/** What fails each send in flight when the broker blocks the connection. */
	private final Set<Consumer<String>> onBlock = ConcurrentHashMap.newKeySet();

	BrokerGuard(CircuitBreakerRegistry breakers, SendProperties properties, CachingConnectionFactory connections,
			PublishStats stats) {
		this.stats = stats;
		this.breaker = breakers.circuitBreaker("broker");
		this.maxInFlight = properties.maxInFlight();
		this.inFlight = new Semaphore(this.maxInFlight);
		connections.addConnectionListener(this);
	}

	<T> Mono<T> guard(Mono<T> publish) {
		return Mono.defer(() -> {
			String blocked = this.blockedReason;
			if (blocked != null) {
				this.stats.record(PublishStats.Result.REFUSED, 0);
				return Mono.error(new PublishFailedException(
						"the broker is refusing publishes (" + blocked + "): a memory or disk alarm", false, null));
			}
			if (!this.inFlight.tryAcquire()) {
				this.stats.record(PublishStats.Result.SHED, 0);
				return Mono.error(new LoadSheddingException(this.maxInFlight));
			}
			Mono<T> guarded = publish.transformDeferred(CircuitBreakerOperator.of(this.breaker))
				.onErrorMap(CallNotPermittedException.class, (ex) -> {
					this.stats.record(PublishStats.Result.REFUSED, 0);
					return new PublishFailedException(
							"recent publishes failed, so the publisher stopped trying for a moment (circuit breaker"
									+ " open)",
							false, ex);
				});
			return Mono.firstWithSignal(guarded, blockedWhileWaiting()).doFinally((signal) -> this.inFlight.release());
		});
	}

	/**
	 * Fails once the broker blocks the connection, so that a send awaiting its confirm
	 * answers 503 then rather than after the confirm timeout. Each send is registered for
	 * as long as it is in flight, and no longer.
	 */
	private <T> Mono<T> blockedWhileWaiting() {
		return Mono.create((sink) -> {
			Consumer<String> fail = (reason) -> {
				this.stats.record(PublishStats.Result.REFUSED, 0);
				sink.error(new PublishFailedException("the broker blocked publishes (" + reason
						+ ": a memory or disk alarm) while the message awaited its confirm; it may still be stored",
						false, null));
			};
			this.onBlock.add(fail);
			sink.onDispose(() -> this.onBlock.remove(fail));
			String blocked = this.blockedReason; // blocked since the guard looked
			if (blocked != null) {
				fail.accept(blocked);
			}
		});
	}

	/** How many sends in flight would fail at once if the broker blocked now. */
	int sendsWatchingForABlock() {
		return this.onBlock.size();
	}

	@Override
	public void onCreate(Connection connection) {
		this.blockedReason = null;
		connection.addBlockedListener(new BlockedListener() {
			@Override
			public void handleBlocked(String reason) {
				logger.warn("RabbitMQ blocked a connection ({}): sends answer 503 until it unblocks", reason);
				BrokerGuard.this.blockedReason = reason;
				BrokerGuard.this.onBlock.forEach((fail) -> fail.accept(reason));
			}

			@Override
			public void handleUnblocked() {
				logger.info("RabbitMQ unblocked the connection: sends go through again");
				BrokerGuard.this.blockedReason = null;
			}
		});
	}

	@Override
	public void onClose(Connection connection) {
		this.blockedReason = null;
	}

}
