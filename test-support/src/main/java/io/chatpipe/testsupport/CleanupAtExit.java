package io.chatpipe.testsupport;

import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationListener;

/**
 * Runs a test's clean-up (deleting its topology, dropping its database) once when the JVM
 * exits, and only after every Spring Boot application in it has closed.
 * <p>
 * A plain shutdown hook runs beside the application's own: a listener container still
 * running sees its queue deleted, and its admin declares the whole topology again. So in
 * a JVM that started a Spring Boot application the clean-up is one of
 * {@link SpringApplication#getShutdownHandlers() Spring Boot's shutdown handlers}, which
 * run after the contexts have closed. Spring Boot installs them only when an application
 * starts; elsewhere (an {@code ApplicationContextRunner}, the benchmark) a shutdown hook
 * runs it.
 */
final class CleanupAtExit {

	private static final AtomicBoolean springApplicationSeen = new AtomicBoolean();

	private CleanupAtExit() {
	}

	static void register(Runnable cleanup) {
		AtomicBoolean done = new AtomicBoolean();
		Runnable once = () -> {
			if (done.compareAndSet(false, true)) {
				cleanup.run();
			}
		};
		SpringApplication.getShutdownHandlers().add(once);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			if (!springApplicationSeen.get()) {
				once.run();
			}
		}, "chatpipe-test-cleanup"));
	}

	/**
	 * Notes that this JVM started a Spring Boot application, whose shutdown handlers will
	 * then run the clean-ups (registered in {@code META-INF/spring.factories}).
	 */
	static final class SpringApplicationSeen implements ApplicationListener<ApplicationStartingEvent> {

		@Override
		public void onApplicationEvent(ApplicationStartingEvent event) {
			springApplicationSeen.set(true);
		}

	}

}
