package io.chatpipe.consumer.deadletter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

/**
 * With {@code chatpipe.consumer.replay-only=true} the consumer image is the dead-letter
 * replay Job: it moves every storable dead letter back to its shard, consumes nothing
 * itself, and exits 0. Where the HTTP replay is switched off (Kubernetes, so that nobody
 * who can reach the actuator can replay), this is how an operator replays.
 */
@Component
@ConditionalOnProperty(name = "chatpipe.consumer.replay-only", havingValue = "true")
class ReplayOnlyRunner implements ApplicationRunner {

	private static final Logger logger = LoggerFactory.getLogger(ReplayOnlyRunner.class);

	private final ConfigurableApplicationContext context;

	private final DeadLetterReplayer replayer;

	ReplayOnlyRunner(ConfigurableApplicationContext context, DeadLetterReplayer replayer) {
		this.context = context;
		this.replayer = replayer;
	}

	@Override
	public void run(ApplicationArguments arguments) {
		// Bounded by what the queue hands out: each letter is taken once, the kept ones
		// held until the end.
		DeadLetterReplayer.ReplayReport report = this.replayer.replay(Integer.MAX_VALUE);
		logger.info("Replay-only: {} dead letters replayed to their shards, {} not storable kept; exiting",
				report.replayed(), report.kept());
		System.exit(SpringApplication.exit(this.context, () -> 0));
	}

}
