package io.chatpipe.query.pull;

import io.micrometer.observation.ObservationPredicate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * No HTTP server observation for {@code GET /api/stream}: a stream lasts as long as its
 * reader stays (minutes to hours), so its {@code http.server.requests} timing and its
 * server span say nothing, while each held observation (context, active-request sample,
 * span) is heap that 10,000 streams keep for their whole life. Streams have their own
 * metrics ({@code chatpipe.query.live.*}).
 */
@Configuration(proxyBeanMethods = false)
class StreamObservation {

	@Bean
	ObservationPredicate noServerObservationOfStreams() {
		return (name, context) -> !(context instanceof ServerRequestObservationContext request
				&& request.getCarrier().getPath().pathWithinApplication().value().equals("/api/stream"));
	}

}
