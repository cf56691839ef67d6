package io.chatpipe.endtoend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The metric names PromQL expressions read: what is left of an expression once its
 * strings, label matchers, ranges and grouping clauses are taken out, less functions (a
 * name before a parenthesis) and operators. Reads the expressions of chatpipe's alert
 * rules and dashboard ({@code deploy/monitoring/}).
 */
final class MetricNames {

	private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");

	private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*\\}");

	private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");

	private static final Pattern GROUPING = Pattern
		.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

	private static final Pattern NAME = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
			"ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");

	private MetricNames() {
	}

	/** The metric names one expression reads. */
	static Set<String> of(String expression) {
		String bare = STRING.matcher(expression).replaceAll(" ");
		bare = MATCHERS.matcher(bare).replaceAll(" ");
		bare = RANGE.matcher(bare).replaceAll(" ");
		bare = GROUPING.matcher(bare).replaceAll(" ");
		Set<String> names = new TreeSet<>();
		Matcher matcher = NAME.matcher(bare);
		while (matcher.find()) {
			if (matcher.group(2) == null && !KEYWORDS.contains(matcher.group(1))) {
				names.add(matcher.group(1));
			}
		}
		return names;
	}

	/** The expressions of the alert rules and of the dashboard's panels. */
	static List<String> expressions(Path monitoring) throws IOException {
		List<String> expressions = new ArrayList<>();
		JsonNode rules = new YAMLMapper().readTree(monitoring.resolve("prometheus/chatpipe-alerts.yml").toFile());
		rules.path("groups")
			.forEach((group) -> group.path("rules").forEach((rule) -> expressions.add(rule.path("expr").asText())));
		JsonNode dashboard = new ObjectMapper()
			.readTree(monitoring.resolve("grafana/dashboards/chatpipe.json").toFile());
		dashboard.path("panels")
			.forEach((panel) -> panel.path("targets")
				.forEach((target) -> expressions.add(target.path("expr").asText())));
		return expressions;
	}

}
