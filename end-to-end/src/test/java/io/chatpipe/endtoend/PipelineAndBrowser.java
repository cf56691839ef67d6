package io.chatpipe.endtoend;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The whole pipeline and a headless Chromium, for a test class's tests that drive the
 * tiers' pages: started before them, stopped after (the browser first).
 */
final class PipelineAndBrowser implements BeforeAllCallback, AfterAllCallback {

	Pipeline pipeline;

	ChromeDriver browser;

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		this.pipeline = new Pipeline();
		this.browser = Browser.headlessChromium();
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		try {
			if (this.browser != null) {
				this.browser.quit();
			}
		}
		finally {
			if (this.pipeline != null) {
				this.pipeline.close();
			}
		}
	}

}
