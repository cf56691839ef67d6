package io.chatpipe.consumer.shard;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.chatpipe.model.Topology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Spreads the shards over the consumer replicas: every {@code rebalance-interval} it
 * looks at who holds which shard lease ({@link ShardLeases}), takes or gives back shards
 * as {@link ShardShare} decides, and subscribes to exactly the shards it holds. A shard
 * is handed over by stopping its listener (the batch in hand is stored and acked, or left
 * unacked) before its lease is released; should two replicas ever consume one shard, the
 * queue's single-active-consumer still lets only one of them receive.
 * <p>
 * While PostgreSQL cannot be reached the replica keeps the shards it consumes and tries
 * again every round; in a new session it first takes back the leases of the shards it
 * consumes, and stops consuming any that another replica took meanwhile.
 */
@Component
class ShardBalancer implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(ShardBalancer.class);

	private final ShardListeners listeners;

	private final ShardLeases leases;

	private final int shards;

	private final Duration interval;

	/** Migrate-only or replay-only: a one-off Job's process, which consumes no shard. */
	private final boolean oneOff;

	private ScheduledExecutorService executor;

	private volatile Assignment assignment = new Assignment(0, 0, List.of());

	private boolean failing;

	ShardBalancer(ShardListeners listeners, DataSourceProperties dataSource, Topology topology,
			ShardProperties properties, MeterRegistry registry) {
		this.listeners = listeners;
		this.shards = topology.shards();
		this.leases = new ShardLeases(dataSource, topology.prefix(), this.shards);
		this.interval = properties.rebalanceInterval();
		this.oneOff = properties.migrateOnly() || properties.replayOnly();
		Gauge.builder("chatpipe.consumer.shards.held", this, (balancer) -> balancer.assignment.shards().size())
			.description("Shards this replica consumes")
			.register(registry);
	}

	@Override
	public synchronized void start() {
		this.executor = Executors
			.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("shard-balancer").factory());
		this.executor.scheduleWithFixedDelay(this::balance, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Stops balancing, then every listener, then gives back every lease. */
	@Override
	public synchronized void stop() {
		this.executor.shutdown();
		try {
			if (!this.executor.awaitTermination(30, TimeUnit.SECONDS)) {
				logger.warn("A rebalance round did not end within 30 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.listeners.stopAll();
		this.leases.close();
		this.assignment = new Assignment(0, 0, List.of());
		this.executor = null;
	}

	@Override
	public boolean isAutoStartup() {
		return !this.oneOff;
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

	/** What this replica holds, as of the last round. */
	Assignment assignment() {
		return this.assignment;
	}

	void balance() {
		try {
			if (this.leases.join()) {
				takeBackConsumedShards();
			}
			ShardLeases.View view = this.leases.view();
			int change = ShardShare.change(this.shards, this.leases.member(), view.held(), view.free());
			if (change > 0) {
				take(change, view);
			}
			else if (change < 0) {
				giveBack(-change, view.mine());
			}
			if (change != 0) {
				view = this.leases.view();
			}
			this.assignment = new Assignment(this.leases.member(), view.held().size(),
					view.mine().stream().sorted().toList());
			if (this.failing) {
				logger.info("Shard leases work again; consuming shards {}", this.assignment.shards());
				this.failing = false;
			}
		}
		catch (SQLException | RuntimeException ex) {
			if (!this.failing) {
				logger.warn("Cannot balance shards ({}); keeping shards {} and retrying every {}", ex.getMessage(),
						this.listeners.subscribed(), this.interval);
				this.failing = true;
			}
			this.leases.close();
		}
	}

	private void takeBackConsumedShards() throws SQLException {
		for (int shard : this.listeners.subscribed()) {
			if (!this.leases.tryAcquire(shard)) {
				logger.info("Shard {} went to another replica while the leases were lost; stopping it", shard);
				this.listeners.unsubscribe(shard);
			}
		}
	}

	private void take(int count, ShardLeases.View view) throws SQLException {
		int start = this.leases.member() % this.shards;
		int taken = 0;
		for (int i = 0; i < this.shards && taken < count; i++) {
			int shard = (start + i) % this.shards;
			if (!view.taken().contains(shard) && this.leases.tryAcquire(shard)) {
				this.listeners.subscribe(shard);
				logger.info("Took shard {}", shard);
				taken++;
			}
		}
	}

	private void giveBack(int count, Set<Integer> mine) throws SQLException {
		List<Integer> highestFirst = mine.stream().sorted((a, b) -> b - a).limit(count).toList();
		for (int shard : highestFirst) {
			this.listeners.unsubscribe(shard);
			this.leases.release(shard);
			logger.info("Gave back shard {}", shard);
		}
	}

	/**
	 * What one replica holds.
	 *
	 * @param member this replica's member key (0 while it has no lease session)
	 * @param members how many consumer replicas hold a member lease
	 * @param shards the shards this replica consumes
	 */
	record Assignment(int member, int members, List<Integer> shards) {
	}

}
