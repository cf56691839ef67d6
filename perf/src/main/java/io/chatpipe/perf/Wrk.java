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

	/** Sends over 200 chats, so that every shard and consumer path is loaded. */
	private static final String SENDS = """
			wrk.method = "POST"
			wrk.headers["Content-Type"] = "application/json"
			counter = 0
			request = function()
			  counter = counter + 1
			  return wrk.format(nil, nil, nil,
			    '{"chat":"warm' .. (counter % 200) .. ':zpeer","sender":"zpeer","text":"warm-up"}')
			end
			""";

	/**
	 * The pull scenario's mix: half hot chats, half cold; half ascending from a random
	 * cursor, half newest-first (a quarter of those from the newest message).
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
				  local path = "/api/pull?chat=" .. chat .. ":peer&limit=10&cursor=" .. cursor
				  if reverse then path = path .. "&reverse=true" end
				  return wrk.format("GET", path)
				end
				""".formatted(table.hotChats(), table.hotLength(), table.coldChats(), table.coldLength());
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
