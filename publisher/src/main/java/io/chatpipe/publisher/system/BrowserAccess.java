package io.chatpipe.publisher.system;

import java.time.Duration;
import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * Lets the allowed origins' pages {@code POST /api/send} from a browser (answering the
 * preflight), with the headers a send uses. Nothing else of the publisher is open to
 * other origins.
 */
@Configuration(proxyBeanMethods = false)
class BrowserAccess {

	@Bean
	CorsWebFilter corsWebFilter(CorsProperties properties) {
		CorsConfiguration send = new CorsConfiguration();
		send.setAllowedOrigins(properties.allowedOrigins());
		send.setAllowedMethods(List.of(HttpMethod.POST.name()));
		send.setAllowedHeaders(List.of(HttpHeaders.CONTENT_TYPE, "Idempotency-Key"));
		send.setMaxAge(Duration.ofHours(1));
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		source.registerCorsConfiguration("/api/send", send);
		return new CorsWebFilter(source);
	}

}
