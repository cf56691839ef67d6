package io.chatpipe.query.pull;

import java.util.concurrent.atomic.AtomicLong;

import io.chatpipe.query.live.LiveProperties;
import io.chatpipe.query.live.Subscribers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /api/stream} (routed by {@link PullRoutes}): a chat's messages as
 * Server-Sent Events, each {@code id: <seq>} with the message JSON exactly as a pull
 * gives it, from {@code cursor} or from after {@code Last-Event-ID}, for as long as the
 * client stays. Heartbeat comments keep proxies from closing an idle stream (one without
 * a message for half a heartbeat interval; a busy stream gets none); a reader that does
 * not take them (its socket full for two heartbeat intervals, three if its stream was
 * busy when it stopped) is dropped, and so is a stream without a message for
 * {@code idle-timeout} (checked at each heartbeat): both resume by {@code Last-Event-ID}.
 */
@Component
class StreamHandler {

	private static final ServerSentEvent<String> END = ServerSentEvent.<String>builder().comment("end").build();

	private static final ServerSentEvent<String> HEARTBEAT = ServerSentEvent.<String>builder()
		.comment("heartbeat")
		.build();

	private final LiveReader live;

	private final Subscribers subscribers;

	private final LiveProperties properties;

	private final Counter events;

	private final Counter endedIdle;

	private final Counter endedSlow;

	StreamHandler(LiveReader live, Subscribers subscribers, LiveProperties properties, MeterRegistry registry) {
		this.live = live;
		this.subscribers = subscribers;
		this.properties = properties;
		this.events = Counter.builder("chatpipe.query.live.events")
			.description("Messages sent on streams")
			.register(registry);
		this.endedIdle = ended(registry, "idle");
		this.endedSlow = ended(registry, "slow");
	}

	Mono<ServerResponse> stream(ServerRequest request) {
		return Mono
			.fromCallable(() -> PullRequestReader.readStream(request.queryParams(),
					request.headers().firstHeader(StreamRequest.LAST_EVENT_ID)))
			.flatMap((stream) -> {
				Subscribers.Permit permit = this.subscribers.stream();
				return ServerResponse.ok()
					.contentType(MediaType.TEXT_EVENT_STREAM)
					.header(HttpHeaders.CACHE_CONTROL, "no-cache")
					.header("X-Accel-Buffering", "no")
					.body(BodyInserters.fromServerSentEvents(events(stream).doFinally((signal) -> permit.close())));
			});
	}

	private Flux<ServerSentEvent<String>> events(StreamRequest stream) {
		ServerSentEvent<String> hello = ServerSentEvent.<String>builder()
			.retry(this.properties.retry())
			.comment("chat " + stream.chat().value() + " from seq " + stream.from())
			.build();
		// The message's JSON as LiveReads encoded it once: a String is written as it is.
		AtomicLong lastMessage = new AtomicLong(System.nanoTime());
		Flux<ServerSentEvent<String>> messages = this.live.follow(stream.chat(), stream.from())
			.map((event) -> ServerSentEvent.builder(event.json()).id(Long.toString(event.seq())).build())
			.doOnNext((event) -> {
				this.events.increment();
				lastMessage.set(System.nanoTime());
			});
		// Each tick also checks the idle timeout: one timer a stream, not one reset with
		// every message. A stream that sent a message within the last half tick is not
		// idle and needs no heartbeat, so none is silent for more than a tick and a half.
		long idleNanos = this.properties.idleTimeout().toNanos();
		long busyNanos = this.properties.heartbeat().toNanos() / 2;
		Sinks.Empty<Void> slow = Sinks.empty();
		Flux<ServerSentEvent<String>> heartbeats = Flux.interval(this.properties.heartbeat())
			.onBackpressureDrop((tick) -> slow.tryEmitEmpty())
			.<ServerSentEvent<String>>handle((tick, sink) -> {
				long quiet = System.nanoTime() - lastMessage.get();
				if (quiet >= idleNanos) {
					sink.next(END);
				}
				else if (quiet >= busyNanos) {
					sink.next(HEARTBEAT);
				}
			});
		return Flux.concat(Mono.just(hello),
				Flux.merge(1, messages, heartbeats)
					.takeUntil((event) -> event == END)
					.doOnNext((event) -> countIfEnd(event, this.endedIdle))
					.filter((event) -> event != END)
					.takeUntilOther(slow.asMono().doOnSuccess((ignored) -> this.endedSlow.increment())));
	}

	private static void countIfEnd(ServerSentEvent<String> event, Counter reason) {
		if (event == END) {
			reason.increment();
		}
	}

	private static Counter ended(MeterRegistry registry, String reason) {
		return Counter.builder("chatpipe.query.live.streams.ended")
			.tag("reason", reason)
			.description(
					"Streams the query API ended: idle (no message for idle-timeout), slow (the reader stopped reading)")
			.register(registry);
	}

}
