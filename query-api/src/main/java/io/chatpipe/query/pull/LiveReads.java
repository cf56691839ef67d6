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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.spring.activity.Latencies;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
 * Readers that ask for the same chat from the same seq before the read goes out share it
 * (the two members of a chat, woken by one stored notice, cost one read): a read that
 * starts after a reader asked sees everything stored before it asked. Each message's JSON
 * is encoded once, for every stream that sends it.
 */
@Component
class LiveReads implements DisposableBean {

	/** How many messages a read gives a chat at most. */
	static final int PAGE = PullRequest.MAX_LIMIT;

	/** The most chats one statement reads. */
	static final int MAX_BATCH = 500;

	private final JdbcTemplate jdbc;

	private final ObjectMapper json;

	private final Scheduler thread = Schedulers.newSingle("live-read");

	/** The reads asked for and not yet gone out, each with its readers. */
	private final ConcurrentHashMap<Key, List<Reader>> pending = new ConcurrentHashMap<>();

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
	 * Reads up to {@link #PAGE} messages of a chat from seq {@code from} on, in seq
	 * order, with the other reads asked for meanwhile, and gives them to the reader on
	 * the read thread.
	 */
	void read(String chat, long from, Reader reader) {
		this.pending.compute(new Key(chat, from), (key, readers) -> {
			List<Reader> joined = (readers != null) ? readers : new ArrayList<>(2);
			joined.add(reader);
			return joined;
		});
		drainSoon();
	}

	private void drainSoon() {
		if (this.draining.compareAndSet(false, true)) {
			this.thread.schedule(this::drain);
		}
	}

	private void drain() {
		try {
			Map<Key, List<Reader>> batch = new LinkedHashMap<>();
			for (Key key : this.pending.keySet()) {
				List<Reader> readers = this.pending.remove(key);
				if (readers != null) {
					batch.put(key, readers);
				}
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

	/** One statement for the batch's reads. */
	private void readAll(Map<Key, List<Reader>> batch) {
		Map<Key, List<LiveEvent>> found;
		long start = System.nanoTime();
		try {
			found = select(batch.keySet());
		}
		catch (RuntimeException ex) {
			batch.values().forEach((readers) -> readers.forEach((reader) -> reader.failed(ex)));
			return;
		}
		this.reads.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
		this.chatsPerRead.record(batch.size());
		batch.forEach((key, readers) -> {
			List<LiveEvent> events = found.getOrDefault(key, List.of());
			readers.forEach((reader) -> reader.read(events));
		});
	}

	private Map<Key, List<LiveEvent>> select(Iterable<Key> keys) {
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
				statement.setInt(3, PAGE);
				Map<Key, List<LiveEvent>> found = new LinkedHashMap<>();
				try (ResultSet rows = statement.executeQuery()) {
					while (rows.next()) {
						Key key = new Key(rows.getString(1), rows.getLong(2));
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

	/** Who waits for a read: called on the read thread, so it must not block. */
	interface Reader {

		/**
		 * The chat's messages from the seq asked for, up to {@link #PAGE}, in seq order.
		 */
		void read(List<LiveEvent> events);

		/** The database could not be read. */
		void failed(RuntimeException ex);

	}

	private record Key(String chat, long from) {
	}

}
