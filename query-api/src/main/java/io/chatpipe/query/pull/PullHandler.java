package io.chatpipe.query.pull;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.query.live.Subscribers;
import io.chatpipe.spring.web.RequestBodies;
import io.chatpipe.spring.web.StrictJson;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /api/pull} (routed by {@link PullRoutes}): parameters from the query string
 * or a JSON body; the page is read on the read threads, since JPA blocks. With a
 * {@code wait}, a page that would be empty is answered once a message fills it, or empty
 * when the wait runs out. Its failures end in the problem responses like an annotated
 * controller's.
 */
@Component
class PullHandler {

	private final PageReader pages;

	private final LiveReader live;

	private final Subscribers subscribers;

	private final StrictJson json;

	private final int maxBodySize;

	PullHandler(PageReader pages, LiveReader live, Subscribers subscribers, ObjectMapper json,
			PullProperties properties) {
		this.pages = pages;
		this.live = live;
		this.subscribers = subscribers;
		this.json = new StrictJson(json);
		this.maxBodySize = (int) properties.maxBodySize().toBytes();
	}

	Mono<ServerResponse> pull(ServerRequest request) {
		return body(request.exchange().getRequest()).map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.map((body) -> PullRequestReader.read(request.queryParams(), body.orElse(null)))
			.flatMap((pull) -> pull.waitFor().isZero() ? this.pages.readLater(pull) : waitForPage(pull))
			.flatMap((page) -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(page));
	}

	private Mono<Page> waitForPage(PullRequest pull) {
		Subscribers.Permit permit = this.subscribers.waitingPull();
		return this.live.waitForPage(pull).doFinally((signal) -> permit.close());
	}

	/**
	 * The JSON body of a GET, if it has one (the original assignment's clients send one).
	 */
	private Mono<JsonNode> body(ServerHttpRequest request) {
		return RequestBodies.bytes(request, this.maxBodySize).filter((bytes) -> !isBlank(bytes)).map(this.json::read);
	}

	private static boolean isBlank(byte[] bytes) {
		for (byte b : bytes) {
			if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
				return false;
			}
		}
		return true;
	}

}
