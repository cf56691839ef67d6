package io.chatpipe.faults;

/**
 * What a scenario did and what PostgreSQL holds afterwards: one row of the report.
 *
 * @param scenario what was done
 * @param sends requests made (first tries and retries)
 * @param accepted requests answered 200
 * @param errors requests answered otherwise, or not at all
 * @param stored this run's messages in PostgreSQL
 * @param duplicates messages stored more than once
 * @param lost messages answered 200 but not stored
 * @param outOfOrder chats whose messages of one sender are stored out of the order it
 * sent them
 * @param deadLettered messages in the dead-letter queue
 * @param note what else was measured
 */
record Outcome(String scenario, long sends, long accepted, long errors, long stored, long duplicates, long lost,
		long outOfOrder, long deadLettered, String note) {

	static String header() {
		return "| scenario | sends | 200s | errors | stored | duplicates | lost | out of order | dead-lettered | measured |\n"
				+ "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
	}

	String row() {
		return "| " + this.scenario + " | " + this.sends + " | " + this.accepted + " | " + this.errors + " | "
				+ this.stored + " | " + this.duplicates + " | " + this.lost + " | " + this.outOfOrder + " | "
				+ this.deadLettered + " | " + this.note + " |\n";
	}

}
