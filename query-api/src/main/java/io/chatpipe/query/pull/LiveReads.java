package io.chatpipe.query.pull;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.spring.activity.Latencies;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The live readers' reads, batched: every read asked for while one statement is in flight
 * goes to the database together in the next, one {@link PageQueries#ASCENDING_IN_EACH}
 * for all their chats, on one read thread of its own. One stored notice wakes the streams
 * of many chats at once; read one by one, each chat would cost a statement, a round trip
 * and a hop to a read thread. Idle, a read goes out at once, alone; busy, they share.
 * Each message's JSON is encoded once, for every stream that sends it.
 */
@Component
class LiveReads implements DisposableBean {

	/** The most chats one statement reads. */
	static final int MAX_BATCH = 500;

	private final JdbcTemplate jdbc;

	private final ObjectMapper json;

	private final Scheduler thread = Schedulers.newSingle("live-read");

	private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean draining = new AtomicBoolean();

	private final Timer reads;

	private final DistributionSummary chatsPerRead;

	LiveReads(JdbcTemplate jdbc, ObjectMapper json, MeterRegistry registry) {
		this.jdbc = jdbc;
		this.json = json;
		this.reads = Latencies.timer(registry, "chatpipe.query.live.read",
				"Time of one batched read of the live readers' chats from PostgreSQL");
		this.chatsPerRead = DistributionSummary.builder("chatpipe.query.live.read.chats")
			.description("Chats one batched live read reads")
			.register(registry);
	}

	/**
	 * Up to {@code limit} messages of a chat from seq {@code from} on, in seq order, read
	 * with the other reads asked for meanwhile.
	 */
	Mono<List<LiveEvent>> read(String chat, long from, int limit) {
		return Mono.create((sink) -> {
			this.pending.add(new Pending(new Key(chat, from, limit), sink));
			drainSoon();
		});
	}

	private void drainSoon() {
		if (this.draining.compareAndSet(false, true)) {
			this.thread.schedule(this::drain);
		}
	}

	private void drain() {
		try {
			List<Pending> batch = new ArrayList<>();
			Pending next;
			while ((next = this.pending.poll()) != null) {
				batch.add(next);
				if (batch.size() == MAX_BATCH) {
					readAll(batch);
					batch.clear();
				}
			}
			if (!batch.isEmpty()) {
				readAll(batch);
			}
		}
		finally {
			this.draining.set(false);
		}
		if (!this.pending.isEmpty()) {
			drainSoon();
		}
	}

	/**
	 * One statement for the batch's reads, by limit (in practice: one limit, one
	 * statement).
	 */
	private void readAll(List<Pending> batch) {
		Map<Integer, Map<Key, List<MonoSink<List<LiveEvent>>>>> byLimit = new LinkedHashMap<>();
		for (Pending read : batch) {
			byLimit.computeIfAbsent(read.key().limit(), (limit) -> new LinkedHashMap<>())
				.computeIfAbsent(read.key(), (key) -> new ArrayList<>())
				.add(read.sink());
		}
		byLimit.forEach((limit, readers) -> {
			Map<Key, List<LiveEvent>> found;
			long start = System.nanoTime();
			try {
				found = select(readers.keySet(), limit);
			}
			catch (RuntimeException ex) {
				readers.values().forEach((sinks) -> sinks.forEach((sink) -> sink.error(ex)));
				return;
			}
			this.reads.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
			this.chatsPerRead.record(readers.size());
			readers.forEach((key, sinks) -> {
				List<LiveEvent> events = found.getOrDefault(key, List.of());
				sinks.forEach((sink) -> sink.success(events));
			});
		});
	}

	private Map<Key, List<LiveEvent>> select(Iterable<Key> keys, int limit) {
		List<String> chats = new ArrayList<>();
		List<Long> froms = new ArrayList<>();
		keys.forEach((key) -> {
			chats.add(key.chat());
			froms.add(key.from());
		});
		return this.jdbc.execute((Connection connection) -> {
			Array chatArray = connection.createArrayOf("text", chats.toArray());
			Array fromArray = connection.createArrayOf("bigint", froms.toArray());
			try (PreparedStatement statement = connection.prepareStatement(PageQueries.ASCENDING_IN_EACH)) {
				statement.setArray(1, chatArray);
				statement.setArray(2, fromArray);
				statement.setInt(3, limit);
				Map<Key, List<LiveEvent>> found = new LinkedHashMap<>();
				try (ResultSet rows = statement.executeQuery()) {
					while (rows.next()) {
						Key key = new Key(rows.getString(1), rows.getLong(2), limit);
						found.computeIfAbsent(key, (k) -> new ArrayList<>()).add(event(rows));
					}
				}
				found.values().forEach((events) -> events.sort(Comparator.comparingLong(LiveEvent::seq)));
				return found;
			}
			finally {
				chatArray.free();
				fromArray.free();
			}
		});
	}

	private LiveEvent event(ResultSet row) throws SQLException {
		Page.Message message = new Page.Message(row.getString(1), row.getString(6), row.getString(5), row.getLong(7),
				row.getLong(3), row.getObject(4, UUID.class));
		try {
			return new LiveEvent(message.seq(), this.json.writeValueAsString(message));
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("A stored message did not encode as JSON", ex);
		}
	}

	@Override
	public void destroy() {
		this.thread.dispose();
	}

	private record Key(String chat, long from, int limit) {
	}

	private record Pending(Key key, MonoSink<List<LiveEvent>> sink) {
	}

}
