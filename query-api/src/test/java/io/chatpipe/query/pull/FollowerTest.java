package io.chatpipe.query.pull;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FollowerTest {

	@Test
	void aGapInSeqEndsWhatIsSentSoWhatFollowsItIsReadAgainNotSkipped() {
		assertThat(Follower.gapFree(messages(5, 6, 7, 9, 10), 5)).extracting(LiveEvent::seq)
			.containsExactly(5L, 6L, 7L);
		assertThat(Follower.gapFree(messages(6, 7), 5)).isEmpty();
		assertThat(Follower.gapFree(messages(LongStream.rangeClosed(1, 100).toArray()), 1)).hasSize(100);
		assertThat(Follower.gapFree(List.of(), 1)).isEmpty();
	}

	private static List<LiveEvent> messages(long... seqs) {
		return LongStream.of(seqs).mapToObj((seq) -> new LiveEvent(seq, "{\"seq\":" + seq + "}")).toList();
	}

}
