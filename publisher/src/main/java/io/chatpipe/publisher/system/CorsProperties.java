package io.chatpipe.publisher.system;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which web pages, from other origins, may send through the publisher from a browser.
 *
 * @param allowedOrigins the origins (scheme, host and port) allowed; by default the query
 * API's chat page as {@code ./chatpipe run} serves it. Behind one Ingress the page and
 * the API share an origin, and none is needed.
 */
@ConfigurationProperties("chatpipe.publisher.cors")
public record CorsProperties(@DefaultValue( {
		"http://localhost:8081", "http://127.0.0.1:8081" }) List<String> allowedOrigins){
}
