package io.chatpipe.query.page;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The chat page the query API serves at {@code /}.
 *
 * @param publisherUrl where the page sends (the publisher's base URL); empty for the
 * page's own origin, as behind one Ingress. The publisher must allow the page's origin
 * ({@code chatpipe.publisher.cors.allowed-origins}) when it is another.
 */
@ConfigurationProperties("chatpipe.query.page")
public record PageProperties(@DefaultValue("http://localhost:8080") String publisherUrl) {
}
