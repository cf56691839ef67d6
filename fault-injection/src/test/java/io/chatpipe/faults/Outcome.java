package io.chatpipe.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a scenario did and what PostgreSQL holds afterwards: one row of the report.
 *
 * @param scenario what was done
 * @param sends requests made (first tries and retries)
 * @param accepted requests answered 200
 * @param errors requests answered otherwise, or not at all
 * @param errorCodes how many errors of each status ("none" for no answer)
 * @param stored this run's messages in PostgreSQL
 * @param duplicates messages stored more than once
 * @param lost messages answered 200 but not stored
 * @param outOfOrder chats whose messages of one sender are stored out of the order it
 * sent them
 * @param deadLettered messages in the dead-letter queue
 * @param longestWithout200Millis the longest time between two 200s
 * @param note what else was measured
 */
record Outcome(String scenario, long sends, long accepted, long errors, String errorCodes, long stored, long duplicates,
		long lost, long outOfOrder, long deadLettered, long longestWithout200Millis, String note) {

	static String header() {
		return "| scenario | sends | 200s | errors | stored | duplicates | lost | out of order | dead-lettered "
				+ "| longest without a 200 | measured |\n" + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
	}

	String row() {
		return "| " + this.scenario + " | " + this.sends + " | " + this.accepted + " | " + this.errors
				+ (this.errorCodes.isEmpty() ? "" : " (" + this.errorCodes + ")") + " | " + this.stored + " | "
				+ this.duplicates + " | " + this.lost + " | " + this.outOfOrder + " | " + this.deadLettered + " | "
				+ String.format("%.1f s", this.longestWithout200Millis / 1000.0) + " | " + this.note + " |\n";
	}

	/**
	 * Asserts the suite's accounting: some 200s, every 200 stored exactly once, each
	 * sender's order and gap-free seq kept, and only the expected dead letters.
	 */
	Outcome assertClean(long expectedDeadLetters) {
		assertThat(this.accepted).as("sends answered 200").isPositive();
		assertThat(this.lost).as("answered 200 but not stored").isZero();
		assertThat(this.duplicates).as("stored twice").isZero();
		assertThat(this.outOfOrder).as("chats out of order or with seq gaps").isZero();
		assertThat(this.deadLettered).as("dead-lettered").isEqualTo(expectedDeadLetters);
		return this;
	}

	/**
	 * Writes the outcomes as a table to {@code target/<file>} (or the
	 * {@code chatpipe.faults.report} folder) and prints it.
	 */
	static void write(List<Outcome> outcomes, String file, String title, String... notes) throws IOException {
		StringBuilder table = new StringBuilder(header());
		outcomes.forEach((outcome) -> table.append(outcome.row()));
		for (String note : notes) {
			table.append('\n').append(note).append('\n');
		}
		Path report = Path.of(System.getProperty("chatpipe.faults.reports", "target")).resolve(file);
		Files.createDirectories(report.getParent());
		Files.writeString(report, table, StandardCharsets.UTF_8);
		System.out.println("\n" + title + " (" + report + "):\n" + table);
	}

}
