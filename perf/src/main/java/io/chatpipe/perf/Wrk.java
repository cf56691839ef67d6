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

	/**
	 * Sends/s over 200 chats (so over every shard), or 0 when wrk is not installed.
	 */
	static double sends(URI uri, int seconds) throws Exception {
		return run(uri, SENDS, seconds, "wrk-sends");
	}

	/** As {@link #sends(URI, int)}, its log under {@code tools/<name>.log}. */
	static double sends(URI uri, int seconds, String name) throws Exception {
		return run(uri, SENDS, seconds, name);
	}

	/**
	 * As {@link #pulls(URI, PullScenario.Table, int)}, its log under
	 * {@code tools/<name>.log}.
	 */
	static double pulls(URI base, PullScenario.Table table, int seconds, String name) throws Exception {
		return run(base, pullScript(table), seconds, name);
	}

	/**
	 * Pages/s of the pull scenario's mix (see {@link #pullScript}), or 0 when wrk is not
	 * installed.
	 */
	static double pulls(URI base, PullScenario.Table table, int seconds) throws Exception {
		return run(base, pullScript(table), seconds, "wrk-pulls");
	}

	/**
	 * Loads a freshly started tier for a while so that the JIT has compiled its hot
	 * paths: on two shared cores C2 needs one to two minutes of load before a tier
	 * reaches its speed, and steps measured earlier would show the compiler, not the
	 * tier. Closed loop, so it is as hard as the tier can take; the figure is not
	 * reported.
	 */
	static void warmUpPulls(URI base, PullScenario.Table table, int seconds) throws Exception {
		run(base, pullScript(table), seconds, "wrk-warm-up-pulls");
	}

	/** As {@link #warmUpPulls}, with sends over 200 chats. */
	static void warmUpPosts(URI uri, int seconds) throws Exception {
		run(uri, SENDS, seconds, "wrk-warm-up-sends");
	}

	/**
	 * Sends over 200 chats (so that every shard and consumer path is loaded), with texts
	 * as people write them ({@link Payloads}): wrk cycles through bodies made ahead.
	 */
	private static final String SENDS = sendScript(Payloads.sendBodies("wrk", 200, 2_000, 17));

	private static String sendScript(List<String> bodies) {
		StringBuilder script = new StringBuilder("""
				wrk.method = "POST"
				wrk.headers["Content-Type"] = "application/json"
				counter = 0
				bodies = {
				""");
		// Lua long brackets take the UTF-8 JSON as it is.
		bodies.forEach((body) -> script.append("[==[").append(body).append("]==],\n"));
		script.append("""
				}
				request = function()
				  counter = counter + 1
				  return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
				end
				""");
		return script.toString();
	}

	/**
	 * The pull scenario's mix: half hot chats, half cold; half ascending from a random
	 * cursor, half newest-first (a quarter of those from the newest message); one page in
	 * five of 50 messages, the rest of 10.
	 */
	private static String pullScript(PullScenario.Table table) {
		return """
				counter = 0
				request = function()
				  counter = counter + 1
				  local hot = counter %% 2 == 0
				  local reverse = math.floor(counter / 2) %% 2 == 0
				  local chat, length
				  if hot then
				    chat = "hot" .. math.random(0, %d - 1)
				    length = %d
				  else
				    chat = "cold" .. math.random(0, %d - 1)
				    length = %d
				  end
				  local cursor = math.random(1, length)
				  if reverse and math.random(0, 3) == 0 then cursor = 0 end
				  local limit = 10
				  if counter %% 5 == 4 then limit = 50 end
				  local path = "/api/pull?chat=" .. chat .. "%s&limit=" .. limit .. "&cursor=" .. cursor
				  if reverse then path = path .. "&reverse=true" end
				  return wrk.format("GET", path)
				end
				""".formatted(table.hotChats(), table.hotLength(), table.coldChats(), table.coldLength(),
				PullScenario.Table.chat("", 0).substring(1));
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
