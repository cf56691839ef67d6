package io.chatpipe.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import io.chatpipe.testsupport.Tier;

/**
 * Where a request's CPU goes on a box whose cores everything shares: the CPU time the
 * tiers, RabbitMQ and PostgreSQL each used while a closed-loop wrk run lasted, divided by
 * the requests it made, beside the whole box's busy time per request; the difference is
 * wrk, the kernel's network work outside those processes, and anything else running. Read
 * from {@code /proc} (Linux); elsewhere it reports nothing.
 */
final class CpuCost {

	/** USER_HZ: the unit of {@code /proc}'s CPU times on every mainstream Linux build. */
	private static final double TICKS_PER_SECOND = 100;

	private static final String BOX = "box";

	private static final String REST = "rest";

	private static final Map<String, String> LABELS = Map.of(REST,
			"the rest (wrk, the kernel's network work, other processes)", BOX, "**whole box");

	private final Map<Long, String> tiers = new LinkedHashMap<>();

	private final Map<String, Long> before;

	private CpuCost(Tier... tiers) {
		for (Tier tier : tiers) {
			this.tiers.put(tier.pid(), tier.name());
		}
		this.before = ticks();
	}

	/** Starts counting, before the run. */
	static CpuCost start(Tier... tiers) {
		return new CpuCost(tiers);
	}

	/**
	 * Microseconds of CPU per request since {@link #start}, by part (the tiers given,
	 * RabbitMQ, PostgreSQL, the rest, and the whole box); empty without {@code /proc} or
	 * requests.
	 */
	Map<String, Double> microsPerRequest(double requests) {
		Map<String, Long> after = ticks();
		Map<String, Double> micros = new LinkedHashMap<>();
		if (requests <= 0 || after.isEmpty()) {
			return micros;
		}
		List<String> parts = Stream.concat(this.tiers.values().stream(), Stream.of("RabbitMQ", "PostgreSQL")).toList();
		double named = 0;
		for (String part : parts) {
			double used = perRequest(after, part, requests);
			micros.put(part, used);
			named += used;
		}
		double box = perRequest(after, BOX, requests);
		micros.put(REST, box - named);
		micros.put(BOX, box);
		return micros;
	}

	private double perRequest(Map<String, Long> after, String part, double requests) {
		return (after.getOrDefault(part, 0L) - this.before.getOrDefault(part, 0L)) * 1e6 / TICKS_PER_SECOND / requests;
	}

	/** One markdown line of {@link #microsPerRequest}, or an empty string. */
	static String markdown(String what, Map<String, Double> micros) {
		if (micros.isEmpty()) {
			return "";
		}
		StringBuilder line = new StringBuilder("CPU per ").append(what).append(" while wrk ran (from /proc): ");
		micros.forEach((part, value) -> line.append(LABELS.getOrDefault(part, part))
			.append(String.format(Locale.ROOT, " %.0f µs", value))
			.append(BOX.equals(part) ? "** (both cores' busy time)" : ", "));
		return line.append(".\n").toString();
	}

	/**
	 * CPU ticks used so far by each part; processes that ended since are not counted (the
	 * tiers, the broker and the database's pooled sessions live through a run).
	 */
	private Map<String, Long> ticks() {
		Map<String, Long> ticks = new LinkedHashMap<>();
		try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
			processes.filter((dir) -> dir.getFileName().toString().chars().allMatch(Character::isDigit))
				.forEach((dir) -> {
					try {
						String stat = Files.readString(dir.resolve("stat"));
						String command = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
						String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
						long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime,
																								// stime
						String part = part(Long.parseLong(dir.getFileName().toString()), command);
						if (part != null) {
							ticks.merge(part, used, Long::sum);
						}
					}
					catch (IOException | RuntimeException ex) {
						// the process ended while being read
					}
				});
			String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
			long busy = 0;
			for (int i : new int[] { 1, 2, 3, 6, 7, 8 }) { // user nice system irq softirq
															// steal
				busy += Long.parseLong(cpu[i]);
			}
			ticks.put(BOX, busy);
		}
		catch (IOException | RuntimeException ex) {
			return Map.of(); // not Linux
		}
		return ticks;
	}

	private String part(long pid, String command) {
		if (this.tiers.containsKey(pid)) {
			return this.tiers.get(pid);
		}
		return switch (command) {
			case "beam.smp" -> "RabbitMQ";
			case "postgres" -> "PostgreSQL";
			default -> null;
		};
	}

}
