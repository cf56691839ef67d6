package io.chatpipe.query.live;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica's own wake-ups, which bound what a lost hint can cost: every fallback
 * interval while the bus is down, every recheck interval while it is up.
 */
class WakeUpsTest {

	final WakeUps wakeUps = new WakeUps(new LiveProperties(10, Duration.ofSeconds(15), Duration.ofSeconds(2),
			Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofMillis(1_000)), new SimpleMeterRegistry());

	@AfterEach
	void stop() {
		this.wakeUps.destroy();
	}

	@Test
	void withTheBusDownEveryWatchedChatIsWokenEveryFallbackInterval() {
		try (WakeUps.Watch watch = this.wakeUps.watch("a:b")) {
			for (int i = 0; i < 3; i++) {
				assertThat(timeToWakeUp(watch)).isLessThan(Duration.ofMillis(400));
			}
		}
	}

	@Test
	void withTheBusUpEveryWatchedChatIsStillWokenOnceARecheckIntervalWithoutAnyNotice() {
		this.wakeUps.busUp(true);
		try (WakeUps.Watch one = this.wakeUps.watch("a:b"); WakeUps.Watch other = this.wakeUps.watch("c:d")) {
			assertThat(timeToWakeUp(one)).isLessThan(Duration.ofMillis(1_500));
			// Not every fallback interval: once a recheck interval, give or take a tick.
			assertThat(timeToWakeUp(one)).isBetween(Duration.ofMillis(800), Duration.ofMillis(1_500));
			assertThat(timeToWakeUp(other)).isLessThan(Duration.ofMillis(1_500));
		}
	}

	@Test
	void aReaderWaitsForTheNextWakeUpUnlessMoreWasAnnouncedThanItRead() {
		this.wakeUps.busUp(true);
		try (WakeUps.Watch watch = this.wakeUps.watch("a:b")) {
			assertThat(watch.patience(1)).isNull();
			this.wakeUps.wake("a:b", 5);
			// A standby behind the primary: seq 5 was announced, the reader has read to
			// 3.
			assertThat(watch.patience(4)).isEqualTo(Duration.ofMillis(100));
			assertThat(watch.patience(6)).isNull();
		}
	}

	@Test
	void aFollowerIsCalledAtEachWakeUpOfItsChatOnlyAndNoLongerOnceItsWatchIsClosed() {
		this.wakeUps.busUp(true);
		AtomicInteger calls = new AtomicInteger();
		AtomicInteger otherCalls = new AtomicInteger();
		try (WakeUps.Watch other = this.wakeUps.follow("c:d", otherCalls::incrementAndGet)) {
			WakeUps.Watch watch = this.wakeUps.follow("a:b", calls::incrementAndGet);
			this.wakeUps.wake("a:b", 1);
			this.wakeUps.wake("a:b", 2);
			assertThat(calls).hasValue(2);
			assertThat(otherCalls).hasValue(0);
			watch.close();
			this.wakeUps.wake("a:b", 3);
			assertThat(calls).hasValue(2);
		}
	}

	@Test
	void aFollowerThatThrowsKeepsNeitherTheOthersNorAWaitingLongPollFromTheWakeUp() {
		this.wakeUps.busUp(true);
		AtomicInteger calls = new AtomicInteger();
		try (WakeUps.Watch failing = this.wakeUps.follow("a:b", () -> {
			throw new IllegalStateException("a broken reader");
		});
				WakeUps.Watch following = this.wakeUps.follow("a:b", calls::incrementAndGet);
				WakeUps.Watch polling = this.wakeUps.watch("a:b")) {
			Mono<Void> next = polling.next();
			this.wakeUps.wake("a:b", 1);
			assertThat(calls).hasValue(1);
			assertThat(next.block(Duration.ofMillis(100))).isNull();
		}
	}

	private static Duration timeToWakeUp(WakeUps.Watch watch) {
		long start = System.nanoTime();
		watch.next().block(Duration.ofSeconds(5));
		return Duration.ofNanos(System.nanoTime() - start);
	}

}
