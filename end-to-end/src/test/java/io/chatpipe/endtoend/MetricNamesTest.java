package io.chatpipe.endtoend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MetricNamesTest {

	@Test
	void namesAreWhatIsLeftOnceFunctionsLabelsRangesAndGroupingAreTakenOut() {
		assertThat(
				MetricNames.of("histogram_quantile(0.99, sum by (le) (rate(chatpipe_consumer_persist_lag_seconds_bucket"
						+ "{job=\"consumer\", queue=~\".+\\\\.shard\"}[$__rate_interval]))) > 1"))
			.containsExactly("chatpipe_consumer_persist_lag_seconds_bucket");
	}

	@Test
	void everyOperandOfABinaryExpressionIsNamedAndOperatorsAreNot() {
		assertThat(MetricNames.of("sum(rate(a_total{status=\"503\"}[5m])) / sum(rate(a_total[5m])) > 0.01"
				+ " and on (job) b_gauge == 0 or up{job=~\"x|y\"} unless c offset 5m"))
			.containsExactly("a_total", "b_gauge", "c", "up");
	}

	@Test
	void aBareSelectorIsAName() {
		assertThat(MetricNames.of("chatpipe_ready")).containsExactly("chatpipe_ready");
	}

}
