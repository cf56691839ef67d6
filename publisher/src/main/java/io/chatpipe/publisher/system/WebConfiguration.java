package io.chatpipe.publisher.system;

import io.chatpipe.publisher.send.SendProperties;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * Caps what a request body may buffer at {@code chatpipe.publisher.max-body-size}, also
 * for bodies sent without a {@code Content-Length} (chunked).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebFluxConfigurer {

	private final SendProperties properties;

	WebConfiguration(SendProperties properties) {
		this.properties = properties;
	}

	@Override
	public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
		configurer.defaultCodecs().maxInMemorySize((int) this.properties.maxBodySize().toBytes());
	}

}
