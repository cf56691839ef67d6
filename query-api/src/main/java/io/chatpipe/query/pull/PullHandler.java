package io.chatpipe.query.pull;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatpipe.spring.web.RequestBodies;
import io.chatpipe.spring.web.StrictJson;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /api/pull} (routed by {@link PullRoutes}): parameters from the query string
 * or a JSON body; the page is read on a bounded scheduler of its own, since JPA blocks.
 * Its failures end in the problem responses like an annotated controller's.
 */
@Component
class PullHandler implements DisposableBean {

	private final PageReader pages;

	private final PullStats stats;

	private final StrictJson json;

	private final int maxBodySize;

	private final Scheduler reads;

	PullHandler(PageReader pages, PullStats stats, ObjectMapper json, PullProperties properties) {
		this.pages = pages;
		this.stats = stats;
		this.json = new StrictJson(json);
		this.maxBodySize = (int) properties.maxBodySize().toBytes();
		this.reads = Schedulers.newBoundedElastic(properties.readThreads(), 100_000, "page-read");
	}

	Mono<ServerResponse> pull(ServerRequest request) {
		return body(request.exchange().getRequest()).map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.map((body) -> PullRequestReader.read(request.queryParams(), body.orElse(null)))
			.flatMap((pull) -> {
				long start = System.nanoTime();
				return Mono.fromCallable(() -> this.pages.read(pull))
					.subscribeOn(this.reads)
					.doOnNext((page) -> this.stats.record(start, page));
			})
			.flatMap((page) -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(page));
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

	@Override
	public void destroy() {
		this.reads.dispose();
	}

}
