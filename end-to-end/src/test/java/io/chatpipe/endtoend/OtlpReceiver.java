package io.chatpipe.endtoend;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

/**
 * An OTLP/HTTP trace receiver in the test's process, as a collector would be: the tiers
 * export their spans to {@code /v1/traces} (protobuf), and it keeps them.
 */
final class OtlpReceiver implements AutoCloseable {

	private static final HexFormat HEX = HexFormat.of();

	private final HttpServer server;

	private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

	private OtlpReceiver(HttpServer server) {
		this.server = server;
	}

	static OtlpReceiver start() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		OtlpReceiver receiver = new OtlpReceiver(server);
		server.createContext("/v1/traces", receiver::receive);
		server.start();
		return receiver;
	}

	/** Where the tiers export to ({@code management.otlp.tracing.endpoint}). */
	String endpoint() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/v1/traces";
	}

	/** Every span received so far. */
	List<ReceivedSpan> spans() {
		return List.copyOf(this.spans);
	}

	private void receive(HttpExchange exchange) throws IOException {
		try (exchange) {
			InputStream body = exchange.getRequestBody();
			if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
				body = new GZIPInputStream(body);
			}
			ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
			for (ResourceSpans resource : request.getResourceSpansList()) {
				String service = attributes(resource.getResource().getAttributesList()).get("service.name");
				for (ScopeSpans scope : resource.getScopeSpansList()) {
					scope.getSpansList()
						.forEach((span) -> this.spans.add(new ReceivedSpan(service, span.getName(),
								span.getKind().name(), HEX.formatHex(span.getTraceId().toByteArray()),
								HEX.formatHex(span.getSpanId().toByteArray()),
								HEX.formatHex(span.getParentSpanId().toByteArray()),
								span.getLinksList()
									.stream()
									.map((link) -> HEX.formatHex(link.getTraceId().toByteArray()) + "-"
											+ HEX.formatHex(link.getSpanId().toByteArray()))
									.toList(),
								attributes(span.getAttributesList()))));
				}
			}
			byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
			exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
			exchange.sendResponseHeaders(200, answer.length);
			exchange.getResponseBody().write(answer);
		}
	}

	private static Map<String, String> attributes(List<KeyValue> attributes) {
		return attributes.stream()
			.collect(Collectors.toMap(KeyValue::getKey, (kv) -> kv.getValue().hasStringValue()
					? kv.getValue().getStringValue() : kv.getValue().toString().trim(), (a, b) -> b));
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	/**
	 * One span as received.
	 *
	 * @param service the exporting tier's service.name
	 * @param name the span's name
	 * @param kind SPAN_KIND_SERVER, _PRODUCER, _CONSUMER, _CLIENT or _INTERNAL
	 * @param traceId its trace, hex
	 * @param spanId its id, hex
	 * @param parentSpanId its parent's id, hex ("" for a root)
	 * @param links the spans it links to, as "traceId-spanId"
	 * @param attributes its attributes, as text
	 */
	record ReceivedSpan(String service, String name, String kind, String traceId, String spanId, String parentSpanId,
			List<String> links, Map<String, String> attributes) {
	}

	static List<ReceivedSpan> named(List<ReceivedSpan> spans, String name) {
		List<ReceivedSpan> named = new ArrayList<>();
		spans.stream().filter((span) -> span.name().equals(name)).forEach(named::add);
		return named;
	}

}
