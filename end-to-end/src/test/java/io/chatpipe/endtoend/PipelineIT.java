package io.chatpipe.endtoend;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatpipe.model.ChatId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pipeline end to end, through the packaged tiers: what a client sends with a 200 can
 * be pulled, once, in order.
 */
class PipelineIT {

	static Pipeline pipeline;

	@BeforeAll
	static void start() throws Exception {
		pipeline = new Pipeline();
	}

	@AfterAll
	static void stop() throws Exception {
		pipeline.close();
	}

	@Test
	void aSentMessageCanBePulled() throws Exception {
		Pipeline.Answer sent = pipeline.send("A2:a1", "A1", "hello", null);
		assertThat(sent.status()).isEqualTo(200);
		assertThat(sent.body().get("chat").asText()).isEqualTo("a1:a2");

		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			JsonNode page = pipeline.pull("chat=a1:a2");
			assertThat(page.get("messages")).hasSize(1);
			JsonNode message = page.get("messages").get(0);
			assertThat(message.get("message_id").asText()).isEqualTo(sent.messageId());
			assertThat(message.get("text").asText()).isEqualTo("hello");
			assertThat(message.get("sender").asText()).isEqualTo("a1");
			assertThat(message.get("seq").asLong()).isEqualTo(1);
			assertThat(message.get("send_time").asLong()).isEqualTo(sent.body().get("send_time").asLong());
			assertThat(page.get("has_more").asBoolean()).isFalse();
			assertThat(page.get("next_cursor").asLong()).isEqualTo(2);
		});
	}

	@Test
	void aClientThatWaitsForEach200FindsItsMessagesInThatOrder() throws Exception {
		List<String> sent = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			String text = "in order " + i;
			assertThat(pipeline.send("seq1:seq2", (i % 2 == 0) ? "seq1" : "seq2", text, null).status()).isEqualTo(200);
			sent.add(text);
		}

		await().atMost(Duration.ofSeconds(20))
			.until(() -> pipeline.pull("chat=seq1:seq2&limit=100").get("messages").size() == 100);
		JsonNode messages = pipeline.pull("chat=seq1:seq2&limit=100").get("messages");
		List<String> texts = new ArrayList<>();
		List<Long> seqs = new ArrayList<>();
		messages.forEach((message) -> {
			texts.add(message.get("text").asText());
			seqs.add(message.get("seq").asLong());
		});
		assertThat(texts).containsExactlyElementsOf(sent);
		assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
	}

	@Test
	void manyConcurrentSendersAcrossManyChatsLoseNothingAndStoreNothingTwice() throws Exception {
		int senders = 24;
		int sendsEach = 40;
		int chats = 30;
		Map<String, List<String>> acceptedBySender = new ConcurrentHashMap<>();
		Set<String> acceptedIds = ConcurrentHashMap.newKeySet();
		CountDownLatch go = new CountDownLatch(1);
		List<Future<?>> running = new ArrayList<>();
		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int s = 0; s < senders; s++) {
				int sender = s;
				running.add(threads.submit(() -> {
					go.await();
					for (int i = 0; i < sendsEach; i++) {
						String chat = "load" + sender + ":room" + ((sender * 7 + i) % chats);
						String text = "s" + sender + " #" + i;
						Pipeline.Answer answer = pipeline.send(chat, "load" + sender, text, null);
						assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
						acceptedIds.add(answer.messageId());
						acceptedBySender
							.computeIfAbsent("load" + sender, (k) -> Collections.synchronizedList(new ArrayList<>()))
							.add(text);
					}
					return null;
				}));
			}
			go.countDown();
			for (Future<?> sender : running) {
				sender.get();
			}
		}
		assertThat(acceptedIds).hasSize(senders * sendsEach);

		await().atMost(Duration.ofSeconds(60)).until(() -> storedCount("load%") == senders * sendsEach);
		try (Connection db = pipeline.database()) {
			Set<String> storedIds = new HashSet<>();
			Map<String, List<Long>> seqsByChat = new HashMap<>();
			Map<String, List<String>> textsBySender = new HashMap<>();
			try (PreparedStatement query = db.prepareStatement(
					"SELECT chat, seq, message_id, sender, text FROM messages WHERE chat LIKE 'load%' ORDER BY chat, seq");
					ResultSet rows = query.executeQuery()) {
				while (rows.next()) {
					storedIds.add(rows.getString("message_id"));
					seqsByChat.computeIfAbsent(rows.getString("chat"), (k) -> new ArrayList<>())
						.add(rows.getLong("seq"));
					textsBySender.computeIfAbsent(rows.getString("sender"), (k) -> new ArrayList<>())
						.add(rows.getString("chat") + "|" + rows.getString("text"));
				}
			}
			assertThat(storedIds).as("every 200'd message stored, once").isEqualTo(acceptedIds);
			seqsByChat.forEach((chat, seqs) -> assertThat(seqs).as("seq of " + chat)
				.containsExactlyElementsOf(LongStream.rangeClosed(1, seqs.size()).boxed().toList()));
			// Each sender waited for every 200: within each chat, its messages are stored
			// in the order it sent them.
			acceptedBySender.forEach((sender, texts) -> {
				Map<String, List<String>> sentPerChat = new HashMap<>();
				for (String text : texts) {
					int i = Integer.parseInt(text.substring(text.indexOf('#') + 1));
					int s = Integer.parseInt(sender.substring(4));
					sentPerChat.computeIfAbsent(sender + ":room" + ((s * 7 + i) % chats), (k) -> new ArrayList<>())
						.add(text);
				}
				Map<String, List<String>> storedPerChat = new HashMap<>();
				for (String row : textsBySender.get(sender)) {
					String[] parts = row.split("\\|", 2);
					storedPerChat.computeIfAbsent(canonical(parts[0]), (k) -> new ArrayList<>()).add(parts[1]);
				}
				sentPerChat.forEach((chat, sentTexts) -> assertThat(storedPerChat.get(canonical(chat)))
					.as("order of " + sender + " in " + chat)
					.containsExactlyElementsOf(sentTexts));
			});
		}
	}

	@Test
	void anIdempotencyKeyRetriedConcurrentlyIsStoredOnce() throws Exception {
		double storedBefore = pipeline.consumed("stored");
		double duplicatesBefore = pipeline.consumed("duplicate");
		double deadLetteredBefore = pipeline.consumed("dead_lettered");
		List<Future<Pipeline.Answer>> retries = new ArrayList<>();
		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < 20; i++) {
				int attempt = i;
				retries.add(threads.submit(
						() -> pipeline.send("idem1:idem2", "idem1", "pay 10 (attempt " + attempt + ")", "payment-7")));
			}
		}
		List<Pipeline.Answer> answers = new ArrayList<>();
		for (Future<Pipeline.Answer> retry : retries) {
			answers.add(retry.get());
		}
		assertThat(answers).extracting(Pipeline.Answer::status).containsOnly(200);
		String id = answers.get(0).messageId();
		assertThat(answers).extracting(Pipeline.Answer::messageId).containsOnly(id);

		// Each of the 20 published copies is judged by the consumer: one stored, the
		// rest skipped as duplicates, none dead-lettered.
		await().atMost(Duration.ofSeconds(20))
			.until(() -> pipeline.consumed("stored") - storedBefore + pipeline.consumed("duplicate")
					- duplicatesBefore == 20);
		assertThat(pipeline.consumed("stored") - storedBefore).isEqualTo(1);
		assertThat(pipeline.consumed("dead_lettered") - deadLetteredBefore).isZero();
		JsonNode page = pipeline.pull("chat=idem1:idem2");
		assertThat(page.get("messages")).hasSize(1);
		assertThat(page.get("messages").get(0).get("message_id").asText()).isEqualTo(id);
		assertThat(page.get("messages").get(0).get("text").asText()).startsWith("pay 10 (attempt ");
	}

	private static long storedCount(String chatPattern) throws Exception {
		try (Connection db = pipeline.database();
				PreparedStatement query = db.prepareStatement("SELECT count(*) FROM messages WHERE chat LIKE ?")) {
			query.setString(1, chatPattern);
			try (ResultSet rows = query.executeQuery()) {
				rows.next();
				return rows.getLong(1);
			}
		}
	}

	private static String canonical(String chat) {
		return ChatId.parse(chat).value();
	}

}
