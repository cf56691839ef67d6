package io.chatpipe.endtoend;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each tier's Swagger UI page, in the system's headless Chromium: it loads the tier's
 * OpenAPI document from {@code /v3/api-docs} and shows every operation of the tier.
 */
class ApiDocsIT {

	@RegisterExtension
	static final PipelineAndBrowser stack = new PipelineAndBrowser();

	@Test
	void thePublishersSwaggerUiShowsTheSend() {
		assertThat(operations(stack.pipeline.publisher.uri("/swagger-ui.html").toString()))
			.containsExactly("POST /api/send");
	}

	@Test
	void theQueryApisSwaggerUiShowsThePullAndTheStream() {
		assertThat(operations(stack.pipeline.queryApi.uri("/swagger-ui.html").toString()))
			.containsExactlyInAnyOrder("GET /api/pull", "GET /api/stream");
	}

	/** The operations the page shows, as "METHOD path". */
	private static List<String> operations(String page) {
		stack.browser.get(page);
		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> !stack.browser.findElements(By.cssSelector(".opblock-summary")).isEmpty());
		return stack.browser.findElements(By.cssSelector(".opblock-summary"))
			.stream()
			.map((WebElement summary) -> summary.findElement(By.cssSelector(".opblock-summary-method")).getText() + " "
					+ summary.findElement(By.cssSelector(".opblock-summary-path")).getAttribute("data-path"))
			.toList();
	}

}
