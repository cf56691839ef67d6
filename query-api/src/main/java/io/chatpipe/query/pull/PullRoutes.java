package io.chatpipe.query.pull;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Routes {@code GET /api/pull} and {@code GET /api/stream} as functional endpoints. An
 * annotated controller costs every request a handler-method lookup, argument resolution
 * and a content negotiation that scans the method's annotations; the profile put about a
 * fifth of the tier's samples there.
 */
@Configuration(proxyBeanMethods = false)
class PullRoutes {

	@Bean
	RouterFunction<ServerResponse> pullRoute(PullHandler pulls, StreamHandler streams) {
		return RouterFunctions.route(RequestPredicates.GET("/api/pull"), pulls::pull)
			.andRoute(RequestPredicates.GET("/api/stream"), streams::stream);
	}

}
