package io.chatpipe.perf;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * wrk's closed-loop ceiling of one endpoint: as many requests as 64 connections can push,
 * which is the most the tier can answer on this box (with wrk's own CPU on it).
 */
final class Wrk {

	private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

	static Path logs = Path.of("perf/results");

	private Wrk() {
	}

	/** Requests/s of POSTs of this JSON body, or 0 when wrk is not installed. */
	static double post(URI uri, String json, int seconds) throws Exception {
		return run(uri, postScript(json), seconds, "wrk-post");
	}

	/** Requests/s of GETs of this URI, or 0 when wrk is not installed. */
	static double get(URI uri, int seconds) throws Exception {
		return run(uri, "", seconds, "wrk-get");
	}

	/**
	 * Loads a freshly started tier for a while so that the JIT has compiled its hot
	 * paths: on two shared cores C2 needs about a minute of load before a tier reaches
	 * its speed, and steps measured earlier would show the compiler, not the tier. Closed
	 * loop, so it is as hard as the tier can take; the figure is not reported.
	 */
	static void warmUpGets(URI uri, int seconds) throws Exception {
		run(uri, "", seconds, "wrk-warm-up-get");
	}

	/** As {@link #warmUpGets}, with sends over 200 chats. */
	static void warmUpPosts(URI uri, int seconds) throws Exception {
		run(uri, WARM_UP_POSTS, seconds, "wrk-warm-up-post");
	}

	/** Sends over 200 chats, so that every shard and consumer path warms up. */
	private static final String WARM_UP_POSTS = """
			wrk.method = "POST"
			wrk.headers["Content-Type"] = "application/json"
			counter = 0
			request = function()
			  counter = counter + 1
			  return wrk.format(nil, nil, nil,
			    '{"chat":"warm' .. (counter % 200) .. ':zpeer","sender":"zpeer","text":"warm-up"}')
			end
			""";

	private static String postScript(String json) {
		return "wrk.method = \"POST\"\nwrk.body = '" + json + "'\n"
				+ "wrk.headers[\"Content-Type\"] = \"application/json\"\n";
	}

	private static double run(URI uri, String script, int seconds, String name) throws Exception {
		if (!Tools.installed("wrk")) {
			System.out.println("  (wrk not installed: apt-get install wrk; skipped)");
			return 0;
		}
		Path file = Files.createTempFile("chatpipe-wrk", ".lua");
		Files.writeString(file, script);
		try {
			Path log = logs.resolve("tools/" + name + ".log");
			String output = Tools
				.run(List.of("wrk", "-t1", "-c64", "-d" + seconds + "s", "-s", file.toString(), uri.toString()), log);
			double rate = Tools.figure(output, REQUESTS_PER_SECOND, log);
			System.out.printf("  wrk %s %s: %.0f requests/s%n", name, uri.getPath(), rate);
			return rate;
		}
		finally {
			Files.deleteIfExists(file);
		}
	}

}
