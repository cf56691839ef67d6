package io.chatpipe.endtoend;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real, headless Chromium: the system's browser and driver (Debian's {@code chromium}
 * and {@code chromium-driver}, which {@code .ci/run} installs), never a downloaded one.
 * {@code CHATPIPE_TEST_CHROMIUM} and {@code CHATPIPE_TEST_CHROMEDRIVER} name others.
 */
final class Browser {

	private Browser() {
	}

	static ChromeDriver headlessChromium() {
		Path chromium = executable("CHATPIPE_TEST_CHROMIUM", "/usr/bin/chromium");
		Path driver = executable("CHATPIPE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
		ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
			.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
					"--window-size=1024,768");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
			.usingAnyFreePort()
			.withLogFile(new File("target/chromedriver.log"))
			.build();
		return new ChromeDriver(service, options);
	}

	private static Path executable(String variable, String fallback) {
		String given = System.getenv(variable);
		Path path = Path.of((given != null && !given.isBlank()) ? given : fallback);
		if (!Files.isExecutable(path)) {
			throw new IllegalStateException("The browser test needs " + path + " (install Debian's chromium and "
					+ "chromium-driver, as .ci/run does, or set " + variable + ")");
		}
		return path;
	}

}
