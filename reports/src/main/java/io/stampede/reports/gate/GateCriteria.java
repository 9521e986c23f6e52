package io.stampede.reports.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stampede.reports.Problem;
import io.stampede.reports.RunFiles;
import io.stampede.reports.Thresholds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gate's criteria file (YAML or JSON; YAML is a superset, so one parser reads both):
 *
 * <pre>
 * max_lost: 0              # the verdict's threshold keys (Thresholds.KEYS), re-judged from verdict.json
 * max_catch_up_s: 30
 * series:                  # percentiles of named series, from the run's .hlog files (ms)
 *   lateness: {p99_ms: 50, p999_ms: 120}
 *   e2e: {p50_ms: 5, max_ms: 2000}
 * </pre>
 *
 * Series keys: {@code pNN_ms} (NN = the percentile's digits: {@code p50}, {@code p95}, {@code p99},
 * {@code p995} = 99.5, {@code p999} = 99.9, {@code p9999} = 99.99) and {@code max_ms}; every limit is inclusive ({@code
 * observed <= limit} passes). Unknown keys, non-numbers and negative limits are problems, each with
 * its field.
 *
 * @param thresholds the verdict threshold overrides given (only the keys present)
 * @param series     per series name: key ({@code p99_ms}, ...) to limit in ms, in file order
 */
public record GateCriteria(Map<String, Number> thresholds, Map<String, Map<String, Double>> series) {
    private static final Pattern PERCENTILE_KEY = Pattern.compile("p([0-9]{1,8})_ms");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public GateCriteria {
        thresholds = Map.copyOf(thresholds);
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        series.forEach((k, v) -> copy.put(k, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        series = java.util.Collections.unmodifiableMap(copy);
    }

    /** The result of parsing: the criteria or every problem. */
    public record Parsed(GateCriteria criteria, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    public static Parsed read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Parsed(null, List.of(new Problem(file.toString(), "cannot read: " + e.getMessage())));
        }
    }

    /** Parses a YAML or JSON criteria document. */
    public static Parsed parse(String text) {
        List<Problem> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            return new Parsed(null, List.of(new Problem("criteria", "not YAML or JSON: " + e.getOriginalMessage())));
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return new Parsed(null, List.of(new Problem("criteria", "empty criteria file")));
        }
        if (!root.isObject()) {
            return new Parsed(null, List.of(new Problem("criteria", "expected a mapping / JSON object")));
        }
        Map<String, Object> th = new LinkedHashMap<>();
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (key.equals("series")) {
                series(v, series, problems);
            } else if (Thresholds.KEYS.contains(key)) {
                th.put(key, v.isNumber() ? v.numberValue() : v.isNull() ? null : v.asText());
            } else {
                problems.add(new Problem(key, "unknown key; known: " + String.join(", ", Thresholds.KEYS) + ", series"));
            }
        }
        Thresholds.Parsed tp = Thresholds.parse(th);
        problems.addAll(tp.problems());
        if (th.isEmpty() && series.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem("criteria", "no criteria (give threshold keys and/or series)"));
        }
        if (!problems.isEmpty()) {
            return new Parsed(null, problems);
        }
        Map<String, Number> numbers = new LinkedHashMap<>();
        th.forEach((k, v) -> numbers.put(k, (Number) v));
        return new Parsed(new GateCriteria(numbers, series), List.of());
    }

    private static void series(JsonNode v, Map<String, Map<String, Double>> out, List<Problem> problems) {
        if (!v.isObject()) {
            problems.add(new Problem("series", "expected a mapping of series name to limits"));
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String where = "series." + name;
            if (!RunFiles.SERIES_NAME.matcher(name).matches()) {
                problems.add(new Problem(where, "not a series name (" + RunFiles.SERIES_NAME + ")"));
                continue;
            }
            if (!e.getValue().isObject() || e.getValue().isEmpty()) {
                problems.add(new Problem(where, "expected a mapping of limits, e.g. {p99_ms: 50}"));
                continue;
            }
            Map<String, Double> limits = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> lt = e.getValue().fields();
            while (lt.hasNext()) {
                Map.Entry<String, JsonNode> l = lt.next();
                String lw = where + "." + l.getKey();
                if (percentile(l.getKey()) == null) {
                    problems.add(new Problem(lw, "unknown limit; use pNN_ms (p50_ms, p99_ms, p999_ms = p99.9, ...) or max_ms"));
                    continue;
                }
                JsonNode n = l.getValue();
                if (!n.isNumber() || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
                    problems.add(new Problem(lw, "must be a number of ms >= 0, got " + n));
                    continue;
                }
                limits.put(l.getKey(), n.doubleValue());
            }
            out.put(name, limits);
        }
    }

    /**
     * The percentile a series key names: {@code p50_ms} 50, {@code p999_ms} 99.9, {@code p9999_ms}
     * 99.99, {@code max_ms} 100; null for anything else (including percentiles outside (0, 100)).
     */
    public static Double percentile(String key) {
        if (key.equals("max_ms")) {
            return 100.0;
        }
        Matcher m = PERCENTILE_KEY.matcher(key);
        if (!m.matches()) {
            return null;
        }
        String d = m.group(1);
        if (d.length() > 2 && !d.startsWith("99")) {
            return null; // p100_ms, p905_ms: ambiguous; fractions are written after 99 only (p995 = 99.5)
        }
        double p = d.length() <= 2 ? Integer.parseInt(d) : Double.parseDouble(d.substring(0, 2) + "." + d.substring(2));
        return p > 0 && p < 100 ? p : null;
    }
}
