package io.chatpipe.spring.apidocs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnResource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the tier's {@link ApiDocs} at {@code /v3/api-docs} and Swagger UI (the
 * {@code org.webjars:swagger-ui} jar, served by Spring Boot under {@code /webjars/}) at
 * {@code /swagger-ui.html}, on the tiers that have an {@code openapi/api.yaml}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnResource(resources = "classpath:" + ApiDocs.TIER_DOCUMENT)
public class ApiDocsAutoConfiguration {

	static final String SWAGGER_UI = "/swagger-ui.html";

	static final String SWAGGER_UI_INIT = "/swagger-ui-init.js";

	@Bean
	RouterFunction<ServerResponse> apiDocsRoutes() {
		ApiDocs docs = ApiDocs.load(ApiDocsAutoConfiguration.class.getClassLoader());
		String json = docs.json();
		String webjar = "/webjars/swagger-ui/" + swaggerUiVersion() + "/";
		String title = docs.document().at("/info/title").asText();
		String page = """
				<!doctype html>
				<html lang="en">
				<head>
				<meta charset="utf-8">
				<title>%s</title>
				<link rel="stylesheet" href="%sswagger-ui.css">
				</head>
				<body>
				<div id="swagger-ui"></div>
				<script src="%sswagger-ui-bundle.js"></script>
				<script src="%s"></script>
				</body>
				</html>
				""".formatted(title, webjar, webjar, SWAGGER_UI_INIT);
		String init = "SwaggerUIBundle({url: '" + ApiDocs.PATH + "', dom_id: '#swagger-ui'});\n";
		return RouterFunctions
			.route(RequestPredicates.GET(ApiDocs.PATH),
					(request) -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json))
			.andRoute(RequestPredicates.GET(SWAGGER_UI),
					(request) -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(page))
			.andRoute(RequestPredicates.GET(SWAGGER_UI_INIT),
					(request) -> ServerResponse.ok().contentType(MediaType.valueOf("text/javascript")).bodyValue(init));
	}

	/** The webjar's version, from its Maven metadata: its files lie under it. */
	static String swaggerUiVersion() {
		try (InputStream in = ApiDocsAutoConfiguration.class.getClassLoader()
			.getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
			if (in == null) {
				throw new IllegalStateException("org.webjars:swagger-ui is not on the classpath");
			}
			Properties properties = new Properties();
			properties.load(in);
			return properties.getProperty("version");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
