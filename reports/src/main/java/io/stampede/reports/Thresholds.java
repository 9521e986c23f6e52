package io.stampede.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The thresholds a verdict judges against. Defaults are the seed's Success Criteria; a POST (its
 * {@code criteria} object) or a gate file overrides them with the same keys. Every threshold is
 * inclusive: {@code observed <= max} passes.
 *
 * @param maxLost        {@code max_lost}, ids (default 0)
 * @param maxDuplicated  {@code max_duplicated}, ids (default 0)
 * @param maxUnexpected  {@code max_unexpected}, outcomes (default 0)
 * @param maxErrorPct    {@code max_error_pct}, % of requests (default 5)
 * @param maxCatchUpS    {@code max_catch_up_s}, seconds (default 120)
 * @param p95Ms          {@code p95_ms}, ms (default 1000)
 * @param maxKoPct       {@code max_ko_pct}, % of HTTP requests (default 5)
 */
public record Thresholds(long maxLost, long maxDuplicated, long maxUnexpected, double maxErrorPct,
                         double maxCatchUpS, double p95Ms, double maxKoPct) {

    public static final long DEFAULT_MAX_LOST = 0;
    public static final long DEFAULT_MAX_DUPLICATED = 0;
    public static final long DEFAULT_MAX_UNEXPECTED = 0;
    public static final double DEFAULT_MAX_ERROR_PCT = 5;
    public static final double DEFAULT_MAX_CATCH_UP_S = 120;
    public static final double DEFAULT_P95_MS = 1000;
    public static final double DEFAULT_MAX_KO_PCT = 5;

    /** The override keys, in documentation order. */
    public static final List<String> KEYS = List.of("max_lost", "max_duplicated", "max_unexpected",
            "max_error_pct", "max_catch_up_s", "p95_ms", "max_ko_pct");

    public static final Thresholds DEFAULTS = new Thresholds(DEFAULT_MAX_LOST, DEFAULT_MAX_DUPLICATED,
            DEFAULT_MAX_UNEXPECTED, DEFAULT_MAX_ERROR_PCT, DEFAULT_MAX_CATCH_UP_S, DEFAULT_P95_MS, DEFAULT_MAX_KO_PCT);

    public Thresholds {
        List<Problem> problems = check(maxLost, maxDuplicated, maxUnexpected, maxErrorPct, maxCatchUpS, p95Ms, maxKoPct);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid thresholds: " + problems);
        }
    }

    /** The result of {@link #parse}: the thresholds (defaults where a key is absent) or every problem. */
    public record Parsed(Thresholds thresholds, List<Problem> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Reads overrides from a JSON object as a Map (Jackson's or Vert.x's {@code getMap()}). Absent
     * keys keep their default; an unknown key, a non-number, a fraction for a count, a negative
     * number or a percentage above 100 is a problem. {@code null} or an empty map gives the defaults.
     */
    public static Parsed parse(Map<String, ?> overrides) {
        List<Problem> problems = new ArrayList<>();
        if (overrides == null) {
            return new Parsed(DEFAULTS, problems);
        }
        for (String key : overrides.keySet()) {
            if (!KEYS.contains(key)) {
                problems.add(new Problem(key, "unknown threshold; known: " + String.join(", ", KEYS)));
            }
        }
        long lost = count(overrides, "max_lost", DEFAULT_MAX_LOST, problems);
        long dup = count(overrides, "max_duplicated", DEFAULT_MAX_DUPLICATED, problems);
        long unexpected = count(overrides, "max_unexpected", DEFAULT_MAX_UNEXPECTED, problems);
        double errorPct = number(overrides, "max_error_pct", DEFAULT_MAX_ERROR_PCT, problems);
        double catchUp = number(overrides, "max_catch_up_s", DEFAULT_MAX_CATCH_UP_S, problems);
        double p95 = number(overrides, "p95_ms", DEFAULT_P95_MS, problems);
        double koPct = number(overrides, "max_ko_pct", DEFAULT_MAX_KO_PCT, problems);
        problems.addAll(check(lost, dup, unexpected, errorPct, catchUp, p95, koPct));
        if (!problems.isEmpty()) {
            return new Parsed(null, problems);
        }
        return new Parsed(new Thresholds(lost, dup, unexpected, errorPct, catchUp, p95, koPct), problems);
    }

    /** {@link #parse(Map)} of a JSON object's text; text that is not a JSON object is one problem with field "criteria". */
    public static Parsed parseJson(String json) {
        Map<String, Object> map;
        try {
            map = Codec.objectMap(json);
        } catch (IllegalArgumentException e) {
            return new Parsed(null, List.of(new Problem("criteria", e.getMessage())));
        }
        return parse(map);
    }

    /** The thresholds as a JSON-ready map with the override keys (counts as longs). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_lost", maxLost);
        m.put("max_duplicated", maxDuplicated);
        m.put("max_unexpected", maxUnexpected);
        m.put("max_error_pct", maxErrorPct);
        m.put("max_catch_up_s", maxCatchUpS);
        m.put("p95_ms", p95Ms);
        m.put("max_ko_pct", maxKoPct);
        return m;
    }

    private static List<Problem> check(long lost, long dup, long unexpected, double errorPct, double catchUp,
                                       double p95, double koPct) {
        List<Problem> p = new ArrayList<>();
        if (lost < 0) {
            p.add(new Problem("max_lost", "must be >= 0"));
        }
        if (dup < 0) {
            p.add(new Problem("max_duplicated", "must be >= 0"));
        }
        if (unexpected < 0) {
            p.add(new Problem("max_unexpected", "must be >= 0"));
        }
        pct(p, "max_error_pct", errorPct);
        if (!(catchUp >= 0) || Double.isInfinite(catchUp)) {
            p.add(new Problem("max_catch_up_s", "must be a finite number >= 0"));
        }
        if (!(p95 > 0) || Double.isInfinite(p95)) {
            p.add(new Problem("p95_ms", "must be a finite number > 0"));
        }
        pct(p, "max_ko_pct", koPct);
        return p;
    }

    private static void pct(List<Problem> p, String key, double v) {
        if (!(v >= 0 && v <= 100)) {
            p.add(new Problem(key, "must be a percentage from 0 to 100"));
        }
    }

    private static long count(Map<String, ?> m, String key, long dflt, List<Problem> problems) {
        if (!m.containsKey(key)) {
            return dflt;
        }
        Object v = m.get(key);
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            problems.add(new Problem(key, "must be a whole number >= 0, got " + describe(v)));
            return dflt;
        }
        double d = n.doubleValue();
        if (d != Math.rint(d) || Math.abs(d) > Long.MAX_VALUE / 2.0) {
            problems.add(new Problem(key, "must be a whole number >= 0, got " + v));
            return dflt;
        }
        if (d < 0) {
            problems.add(new Problem(key, "must be >= 0, got " + v));
            return dflt;
        }
        return n.longValue();
    }

    private static double number(Map<String, ?> m, String key, double dflt, List<Problem> problems) {
        if (!m.containsKey(key)) {
            return dflt;
        }
        Object v = m.get(key);
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            problems.add(new Problem(key, "must be a number, got " + describe(v)));
            return dflt;
        }
        return n.doubleValue();
    }

    private static String describe(Object v) {
        return v == null ? "null" : v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }
}
