package io.chatpipe.spring.web;

import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Puts {@link DecodingFailureProblems} behind the HTTP codec of every connection of a
 * tier's Reactor Netty server, so that a request too large or too broken to reach Spring
 * still gets problem+json.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({ HttpServer.class, NettyReactiveWebServerFactory.class })
public class WebProblemsAutoConfiguration {

	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> decodingFailureProblems() {
		return (factory) -> factory
			.addServerCustomizers((server) -> server.doOnChannelInit((observer, channel, address) -> {
				if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
					channel.pipeline()
						.addAfter(NettyPipeline.HttpCodec, "chatpipe.decodingFailureProblems",
								new DecodingFailureProblems());
				}
			}));
	}

}
