package io.chatpipe.publisher.send;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Routes {@code POST /api/send} as a functional endpoint. An annotated controller costs
 * every request a handler-method lookup, argument resolution with a streaming JSON
 * decoder, and a content negotiation over the method's annotations.
 */
@Configuration(proxyBeanMethods = false)
class SendRoutes {

	@Bean
	RouterFunction<ServerResponse> sendRoute(SendHandler handler) {
		return RouterFunctions.route(RequestPredicates.POST("/api/send"), handler::send);
	}

	@Bean
	SendRequestReader sendRequestReader(SendProperties properties, ObjectMapper json) {
		return new SendRequestReader(properties.rules(), json);
	}

}
