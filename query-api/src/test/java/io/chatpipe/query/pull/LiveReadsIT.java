package io.chatpipe.query.pull;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.testsupport.TestServices;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LiveReads} against the real PostgreSQL: the reads asked for together go out
 * together, and each reader still gets exactly its own chat from its own position.
 */
class LiveReadsIT {

	static final String database = TestServices.newDatabase();

	static final ObjectMapper json = new ObjectMapper();

	static JdbcTemplate jdbc;

	final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@BeforeAll
	static void migrateAndStore() {
		var service = TestServices.postgres();
		DriverManagerDataSource dataSource = new DriverManagerDataSource(service.jdbcUrl(database), service.username(),
				service.password());
		Flyway.configure().dataSource(dataSource).load().migrate();
		jdbc = new JdbcTemplate(dataSource);
		for (int chat = 0; chat < 50; chat++) {
			for (int seq = 1; seq <= 5; seq++) {
				jdbc.update(
						"INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)"
								+ " VALUES (?, ?, ?, ?, ?, ?, now())",
						chat(chat), seq, UUID.randomUUID(), "live" + chat, "hello " + seq + " in " + chat(chat),
						1_684_770_000L + seq);
			}
		}
	}

	@Test
	void readsAskedForTogetherShareStatementsAndEachGetsItsOwnChatFromItsOwnSeq() {
		LiveReads reads = new LiveReads(jdbc, json, this.registry);
		try {
			List<CompletableFuture<List<LiveEvent>>> asked = new ArrayList<>();
			for (int chat = 0; chat < 50; chat++) {
				asked.add(read(reads, chat(chat), 1 + chat % 5));
			}

			for (int chat = 0; chat < 50; chat++) {
				int from = 1 + chat % 5;
				List<LiveEvent> events = asked.get(chat).join();
				assertThat(events).extracting(LiveEvent::seq)
					.containsExactlyElementsOf(IntStream.rangeClosed(from, 5).mapToObj(Long::valueOf).toList());
				for (LiveEvent event : events) {
					JsonNode message = read(event.json());
					assertThat(message.get("chat").asText()).isEqualTo(chat(chat));
					assertThat(message.get("seq").asLong()).isEqualTo(event.seq());
					assertThat(message.get("text").asText()).isEqualTo("hello " + event.seq() + " in " + chat(chat));
					assertThat(message.get("sender").asText()).isEqualTo("live" + chat);
					assertThat(message.get("send_time").asLong()).isEqualTo(1_684_770_000L + event.seq());
					assertThat(message.has("message_id")).isTrue();
				}
			}
			// One statement a chat would be 50: the reads asked for while one was in
			// flight went out together.
			assertThat(this.registry.get("chatpipe.query.live.read").timer().count()).isLessThanOrEqualTo(10);
			assertThat(this.registry.get("chatpipe.query.live.read.chats").summary().totalAmount()).isEqualTo(50);
		}
		finally {
			reads.destroy();
		}
	}

	@Test
	void readersOfTheSameChatFromTheSameSeqAskingBeforeTheReadGoesOutShareIt() {
		LiveReads reads = new LiveReads(jdbc, json, this.registry);
		try {
			List<CompletableFuture<List<LiveEvent>>> asked = new ArrayList<>();
			for (int reader = 0; reader < 20; reader++) {
				asked.add(read(reads, chat(reader % 2), 2));
			}
			for (int reader = 0; reader < 20; reader++) {
				assertThat(asked.get(reader).join()).extracting(LiveEvent::seq).containsExactly(2L, 3L, 4L, 5L);
			}
			// The first read goes out alone; the others, asked while it was in flight,
			// share one read a chat: a few chats read in all, not one for each of the 20
			// readers, and never one chat twice in a statement.
			DistributionSummary chats = this.registry.get("chatpipe.query.live.read.chats").summary();
			assertThat(chats.totalAmount()).isLessThanOrEqualTo(6.0);
			assertThat(chats.max()).isLessThanOrEqualTo(2.0);
		}
		finally {
			reads.destroy();
		}
	}

	@Test
	void aChatWithNothingFromItsSeqGetsAnEmptyReadAndAFailedReadFailsItsReaders() {
		LiveReads reads = new LiveReads(jdbc, json, this.registry);
		try {
			assertThat(read(reads, chat(1), 6).join()).isEmpty();
			assertThat(read(reads, "nobody:here", 1).join()).isEmpty();
		}
		finally {
			reads.destroy();
		}
		DriverManagerDataSource nowhere = new DriverManagerDataSource(
				TestServices.postgres().jdbcUrl("chatpipe_no_such_database"), TestServices.postgres().username(),
				TestServices.postgres().password());
		LiveReads failing = new LiveReads(new JdbcTemplate(nowhere), json, this.registry);
		try {
			assertThatThrownBy(() -> read(failing, chat(1), 1).join()).hasCauseInstanceOf(DataAccessException.class);
		}
		finally {
			failing.destroy();
		}
	}

	private static CompletableFuture<List<LiveEvent>> read(LiveReads reads, String chat, long from) {
		CompletableFuture<List<LiveEvent>> read = new CompletableFuture<>();
		reads.read(chat, from, new LiveReads.Reader() {

			@Override
			public void read(List<LiveEvent> events) {
				read.complete(events);
			}

			@Override
			public void failed(RuntimeException ex) {
				read.completeExceptionally(ex);
			}

		});
		return read;
	}

	private static String chat(int i) {
		return "live" + i + ":reads" + i;
	}

	private static JsonNode read(String text) {
		try {
			return json.readTree(text);
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
	}

}
