package io.chatpipe.consumer.deadletter;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;
import org.springframework.stereotype.Component;

/**
 * {@code GET /actuator/deadletters}: how many dead letters wait, and why.
 * {@code POST /actuator/deadletters} with an optional {@code {"limit": n}} (default
 * 1000): replay them to their shards after the cause was fixed.
 */
@Component
@Endpoint(id = "deadletters")
class DeadLettersEndpoint {

	private static final int DEFAULT_LIMIT = 1000;

	private final DeadLetterReplayer replayer;

	DeadLettersEndpoint(DeadLetterReplayer replayer) {
		this.replayer = replayer;
	}

	@ReadOperation
	DeadLetters inspect() {
		return this.replayer.inspect();
	}

	@WriteOperation
	DeadLetterReplayer.ReplayReport replay(@Nullable Integer limit) {
		return this.replayer.replay((limit != null && limit > 0) ? limit : DEFAULT_LIMIT);
	}

}
