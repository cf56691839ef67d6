package io.chatpipe.endtoend;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chat page in a real browser (headless Chromium) against the packaged tiers: it
 * sends through the publisher and shows the chat live through the query API's stream, and
 * its {@code EventSource} rides through a query API's crash by itself.
 */
class ChatPageIT {

	@RegisterExtension
	static final PipelineAndBrowser stack = new PipelineAndBrowser();

	@Test
	void thePageSendsAndShowsTheChatLiveIncludingWhatTheOtherMemberSends() throws Exception {
		join("page1:page2", "page1");

		stack.browser.findElement(By.id("text")).sendKeys("hello from the page");
		stack.browser.findElement(By.id("send")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> shown().size() == 1);
		Pipeline.Answer reply = stack.pipeline.send("page1:page2", "page2", "hello back", null);
		assertThat(reply.status()).isEqualTo(200);

		await().atMost(Duration.ofSeconds(20)).until(() -> shown().size() == 2);
		assertThat(shown()).containsExactly("page1hello from the page", "page2hello back");
		assertThat(stack.browser.findElement(By.id("error")).getText()).isEmpty();
		assertThat(stack.browser.findElement(By.id("text")).getDomProperty("value")).isEmpty();
	}

	@Test
	void afterTheQueryApiIsKilledAndRestartedThePageReconnectsByItselfAndShowsEveryMessageOnce() throws Exception {
		join("crash3:crash4", "crash3");
		List<String> sent = new ArrayList<>(send("crash3:crash4", "before", 5));
		await().atMost(Duration.ofSeconds(20)).until(() -> shown().size() == 5);

		stack.pipeline.queryApi.kill();
		sent.addAll(send("crash3:crash4", "while down", 5));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> stack.browser.findElement(By.id("status")).getText().startsWith("reconnecting"));
		stack.pipeline.queryApi.restart();
		stack.pipeline.queryApi.awaitReady(Duration.ofSeconds(90));
		sent.addAll(send("crash3:crash4", "after", 5));

		await().atMost(Duration.ofSeconds(60)).until(() -> shown().size() >= 15);
		Thread.sleep(1_000);
		assertThat(stack.browser.findElements(By.cssSelector("#messages li")))
			.extracting((item) -> item.getDomAttribute("data-seq"))
			.containsExactlyElementsOf(LongStream.rangeClosed(1, 15).mapToObj(Long::toString).toList());
		assertThat(shown()).containsExactlyElementsOf(sent.stream().map((text) -> "crash4" + text).toList());
		assertThat(stack.browser.findElement(By.id("status")).getText()).isEqualTo("live");
	}

	/** Opens the page, joins a chat under a name, and waits until its stream is live. */
	private static void join(String chat, String name) {
		String publisher = URLEncoder.encode(Pipeline.origin(stack.pipeline.publisher), StandardCharsets.UTF_8);
		stack.browser.get(stack.pipeline.queryApi.uri("/?publisher=" + publisher).toString());
		stack.browser.findElement(By.id("chat")).sendKeys(chat);
		stack.browser.findElement(By.id("name")).sendKeys(name);
		stack.browser.findElement(By.id("join")).click();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> stack.browser.findElement(By.id("status")).getText().equals("live"));
	}

	/** The messages the page shows, each as its sender followed by its text. */
	private static List<String> shown() {
		return stack.browser.findElements(By.cssSelector("#messages li"))
			.stream()
			.map(WebElement::getText)
			.map((text) -> text.replace("\n", ""))
			.toList();
	}

	/** Sends from the chat's other member, as another client would. */
	private static List<String> send(String chat, String label, int count) throws Exception {
		List<String> texts = new ArrayList<>();
		for (int i = 1; i <= count; i++) {
			String text = label + " " + i;
			assertThat(stack.pipeline.send(chat, chat.split(":")[1], text, null).status()).isEqualTo(200);
			texts.add(text);
		}
		return texts;
	}

}
