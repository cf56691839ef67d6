package io.chatpipe.query.page;

import java.util.Map;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The chat page's one setting, {@code GET /page/config.json}; the page itself is the
 * static {@code index.html}.
 */
@Configuration(proxyBeanMethods = false)
class PageRoutes {

	@Bean
	RouterFunction<ServerResponse> pageConfigRoute(PageProperties properties) {
		Map<String, String> config = Map.of("publisher_url", properties.publisherUrl());
		return RouterFunctions.route(RequestPredicates.GET("/page/config.json"),
				(request) -> ServerResponse.ok().bodyValue(config));
	}

}
