package io.chatpipe.endtoend;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each tier's Swagger UI page, in the system's headless Chromium: it loads the tier's
 * OpenAPI document from {@code /v3/api-docs} and shows every operation of the tier.
 */
class ApiDocsIT {

	static Pipeline pipeline;

	static ChromeDriver browser;

	@BeforeAll
	static void start() throws Exception {
		pipeline = new Pipeline();
		browser = Browser.headlessChromium();
	}

	@AfterAll
	static void stop() throws Exception {
		try {
			if (browser != null) {
				browser.quit();
			}
		}
		finally {
			pipeline.close();
		}
	}

	@Test
	void thePublishersSwaggerUiShowsTheSend() {
		assertThat(operations(pipeline.publisher.uri("/swagger-ui.html").toString())).containsExactly("POST /api/send");
	}

	@Test
	void theQueryApisSwaggerUiShowsThePullAndTheStream() {
		assertThat(operations(pipeline.queryApi.uri("/swagger-ui.html").toString()))
			.containsExactlyInAnyOrder("GET /api/pull", "GET /api/stream");
	}

	/** The operations the page shows, as "METHOD path". */
	private static List<String> operations(String page) {
		browser.get(page);
		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> !browser.findElements(By.cssSelector(".opblock-summary")).isEmpty());
		return browser.findElements(By.cssSelector(".opblock-summary"))
			.stream()
			.map((WebElement summary) -> summary.findElement(By.cssSelector(".opblock-summary-method")).getText() + " "
					+ summary.findElement(By.cssSelector(".opblock-summary-path")).getAttribute("data-path"))
			.toList();
	}

}
