package io.chatpipe.endtoend;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.chatpipe.endtoend.OtlpReceiver.ReceivedSpan;
import io.chatpipe.testsupport.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces across the queue, exported by the three tiers (as processes) to an OTLP receiver
 * in the test: a send's trace, begun by the client's {@code traceparent}, goes through
 * the publisher's HTTP span and its publish, in the message's headers, to the consumer's
 * span of that message; the batch's span links to it and holds the database transaction;
 * a pull's trace holds its page read; and a log line the consumer writes while storing a
 * batch carries the batch's trace id.
 */
class TracingIT {

	static OtlpReceiver receiver;

	static Pipeline pipeline;

	@BeforeAll
	static void start() throws Exception {
		receiver = OtlpReceiver.start();
		pipeline = new Pipeline(Map.of("management.otlp.tracing.endpoint", receiver.endpoint(),
				"management.tracing.sampling.probability", "1.0"));
	}

	@AfterAll
	static void stop() throws Exception {
		try {
			pipeline.close();
		}
		finally {
			receiver.close();
		}
	}

	@Test
	void aSendsTraceGoesThroughTheQueueToTheConsumerAndTheBatchLinksToIt() throws Exception {
		String trace = hex(16);
		String clientSpan = hex(8);
		HttpResponse<String> sent = pipeline.http.send(HttpRequest.newBuilder(pipeline.publisher.uri("/api/send"))
			.header("Content-Type", "application/json")
			.header("traceparent", "00-" + trace + "-" + clientSpan + "-01")
			.POST(HttpRequest.BodyPublishers.ofString("{\"chat\":\"t1:t2\",\"sender\":\"t1\",\"text\":\"traced\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(sent.statusCode()).isEqualTo(200);

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			List<ReceivedSpan> spans = receiver.spans();
			ReceivedSpan server = only(spans, trace, "chatpipe-publisher", "SPAN_KIND_SERVER");
			assertThat(server.parentSpanId()).isEqualTo(clientSpan);
			ReceivedSpan publish = only(spans, trace, "chatpipe-publisher", "SPAN_KIND_PRODUCER");
			assertThat(publish.name()).isEqualTo("chatpipe.publish");
			assertThat(publish.parentSpanId()).isEqualTo(server.spanId());
			ReceivedSpan stored = only(spans, trace, "chatpipe-consumer", "SPAN_KIND_CONSUMER");
			assertThat(stored.name()).isEqualTo("chatpipe.consumer.store.message");
			assertThat(stored.parentSpanId()).as("the consumer's span is the publish's child, across the queue")
				.isEqualTo(publish.spanId());

			ReceivedSpan batch = batchLinkingTo(spans, trace + "-" + stored.spanId());
			assertThat(batch.traceId()).isNotEqualTo(trace);
			assertThat(batch.attributes()).containsEntry("messaging.system", "rabbitmq");
			assertThat(spans).anyMatch((span) -> span.name().equals("chatpipe.consumer.store.transaction")
					&& span.traceId().equals(batch.traceId()) && span.parentSpanId().equals(batch.spanId())
					&& "postgresql".equals(span.attributes().get("db.system")));
		});
	}

	@Test
	void aPullsTraceHoldsItsPageRead() throws Exception {
		String trace = hex(16);
		HttpResponse<String> pulled = pipeline.http
			.send(HttpRequest.newBuilder(pipeline.queryApi.uri("/api/pull?chat=p1:p2&cursor=0&limit=10"))
				.header("traceparent", "00-" + trace + "-" + hex(8) + "-01")
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(pulled.statusCode()).isEqualTo(200);

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			List<ReceivedSpan> spans = receiver.spans();
			ReceivedSpan server = only(spans, trace, "chatpipe-query-api", "SPAN_KIND_SERVER");
			ReceivedSpan read = only(spans, trace, "chatpipe-query-api", "SPAN_KIND_CLIENT");
			assertThat(read.name()).isEqualTo("chatpipe.query.page.read");
			assertThat(read.parentSpanId()).isEqualTo(server.spanId());
			assertThat(read.attributes()).containsEntry("db.system", "postgresql");
		});
	}

	@Test
	void aLogLineTheConsumerWritesWhileStoringABatchCarriesTheBatchsTraceId() throws Exception {
		String trace = hex(16);
		// Not a chatpipe message: the consumer dead-letters it, and logs that it did.
		try (Connection connection = TestServices.rabbitConnectionFactory().newConnection("tracing-it");
				Channel channel = connection.createChannel()) {
			channel.basicPublish("", pipeline.topology.shardQueue(0),
					new AMQP.BasicProperties.Builder().messageId("not-a-chatpipe-message")
						.headers(Map.of("traceparent", "00-" + trace + "-" + hex(8) + "-01"))
						.build(),
					"not json".getBytes(StandardCharsets.UTF_8));
		}
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			List<ReceivedSpan> spans = receiver.spans();
			ReceivedSpan message = only(spans, trace, "chatpipe-consumer", "SPAN_KIND_CONSUMER");
			ReceivedSpan batch = batchLinkingTo(spans, trace + "-" + message.spanId());
			assertThat(Files.readString(pipeline.consumer.log()))
				.containsPattern("(?m)^.*" + batch.traceId() + ".*Dead-lettered message not-a-chatpipe-message.*$");
		});
	}

	private static ReceivedSpan only(List<ReceivedSpan> spans, String trace, String service, String kind) {
		List<ReceivedSpan> found = spans.stream()
			.filter((span) -> span.traceId().equals(trace) && service.equals(span.service())
					&& span.kind().equals(kind))
			.toList();
		assertThat(found).as(service + " " + kind + " spans of trace " + trace + " among " + spans).hasSize(1);
		return found.get(0);
	}

	private static ReceivedSpan batchLinkingTo(List<ReceivedSpan> spans, String link) {
		List<ReceivedSpan> batches = OtlpReceiver.named(spans, "chatpipe.consumer.store")
			.stream()
			.filter((span) -> span.links().contains(link))
			.toList();
		assertThat(batches).as("a batch span linking to " + link).hasSize(1);
		return batches.get(0);
	}

	private static String hex(int bytes) {
		byte[] random = new byte[bytes];
		ThreadLocalRandom.current().nextBytes(random);
		return HexFormat.of().formatHex(random);
	}

}
