package io.stampede.chaos.experiment;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a request body into a typed {@link ExperimentSpec}, filling defaults and collecting
 * every problem (wrong type, out of range, missing, unknown field) rather than the first.
 */
public final class SpecParser {
    public static final int MAX_DURATION_S = 86_400;
    public static final int MAX_START_AFTER_S = 7 * 86_400;
    /** Fields any experiment body may carry besides its type's parameters. */
    static final Set<String> COMMON = Set.of("type", "duration_s", "start_after_s", "abort_if", "criteria");

    private static final Map<String, Set<String>> FIELDS = Map.of(
            NatsLatency.TYPE, Set.of("delay_ms", "jitter_pct", "direction", "subject"),
            MessageFaults.TYPE, Set.of("subject", "direction", "client", "drop_rate", "duplicate_rate", "delay_ms",
                    "jitter_pct", "reorder_window_ms"),
            ServiceFailure.TYPE, Set.of("service", "failure_type"),
            Backpressure.TYPE, Set.of("rate_multiplier"),
            LoadTest.TYPE, Set.of("rps", "payload_size", "target_url"),
            DuplicateMessages.TYPE, Set.of("duplicate_rate", "duplicate_delay_ms", "mode", "source", "subject"));

    public static final Set<String> TYPES = new TreeSet<>(FIELDS.keySet());

    /** A parsed experiment request: spec, its normalized params, schedule and guardrails. */
    public record Parsed(ExperimentSpec spec, JsonObject params, double startAfterS, AbortIf abortIf) {}

    /** Either a parsed request or its problems. */
    public record Result(Parsed parsed, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final Limits limits;

    public SpecParser(Limits limits) {
        this.limits = limits;
    }

    public Result parse(JsonObject body) {
        Fields f = new Fields(body);
        String type = f.string("type", null, true);
        if (type == null) {
            return new Result(null, f.problems);
        }
        if (!FIELDS.containsKey(type)) {
            f.problems.add(new Problem("type", "unknown type '" + type + "', expected one of " + TYPES));
            return new Result(null, f.problems);
        }
        for (String key : body.fieldNames()) {
            if (!COMMON.contains(key) && !FIELDS.get(type).contains(key)) {
                f.problems.add(new Problem(key, "unknown field for type " + type));
            }
        }
        int duration = f.integer("duration_s", null, 1, MAX_DURATION_S);
        double startAfter = f.number("start_after_s", 0.0, 0, MAX_START_AFTER_S, true);
        AbortIf abortIf = parseAbortIf(body.getValue("abort_if"), f.problems, limits.services());
        JsonObject params = new JsonObject().put("duration_s", duration);
        Object criteria = body.getValue("criteria");
        if (criteria != null) {
            if (!(criteria instanceof JsonObject c)) {
                f.problems.add(new Problem("criteria", "must be an object of thresholds " + io.stampede.reports.Thresholds.KEYS));
            } else {
                io.stampede.reports.Thresholds.Parsed t = io.stampede.reports.Thresholds.parse(c.getMap());
                t.problems().forEach(p -> f.problems.add(new Problem("criteria." + p.field(), p.problem())));
                if (t.ok()) {
                    params.put("criteria", c.copy());
                }
            }
        }
        ExperimentSpec spec = switch (type) {
            case NatsLatency.TYPE -> {
                int delay = f.integer("delay_ms", null, 0, 60_000);
                double jitter = f.number("jitter_pct", 0.0, 0, 1, true);
                String dir = f.oneOf("direction", "to_server", List.of("to_server", "both"));
                String subject = f.subject("subject", null);
                params.put("delay_ms", delay).put("jitter_pct", num(jitter)).put("direction", dir);
                if (subject != null) {
                    params.put("subject", subject);
                }
                yield new NatsLatency(delay, duration, jitter,
                        "both".equals(dir) ? NatsLatency.Direction.BOTH : NatsLatency.Direction.TO_SERVER, subject);
            }
            case MessageFaults.TYPE -> {
                String subject = f.subject("subject", null);
                if (subject == null && !body.containsKey("subject")) {
                    f.problems.add(new Problem("subject", "required"));
                }
                String dir = f.oneOf("direction", "to_server", List.of("to_server", "to_client", "both"));
                String client = f.string("client", null, false);
                double drop = f.number("drop_rate", 0.0, 0, 1, true);
                double dup = f.number("duplicate_rate", 0.0, 0, 1, true);
                int delay = f.integer("delay_ms", 0, 0, 60_000);
                double jitter = f.number("jitter_pct", 0.0, 0, 1, true);
                int reorder = f.integer("reorder_window_ms", 0, 0, 60_000);
                if (drop == 0 && dup == 0 && delay == 0 && reorder == 0 && f.problems.isEmpty()) {
                    f.problems.add(new Problem("drop_rate", "nothing to do: set drop_rate, duplicate_rate, delay_ms or reorder_window_ms"));
                }
                params.put("subject", subject).put("direction", dir).put("drop_rate", num(drop)).put("duplicate_rate", num(dup))
                        .put("delay_ms", delay).put("jitter_pct", num(jitter)).put("reorder_window_ms", reorder);
                if (client != null) {
                    params.put("client", client);
                }
                yield new MessageFaults(subject, MessageFaults.Direction.valueOf(dir.toUpperCase(Locale.ROOT)), client,
                        drop, dup, delay, jitter, reorder, duration);
            }
            case ServiceFailure.TYPE -> {
                String service = f.string("service", null, true);
                if (service != null && !limits.services().contains(service)) {
                    f.problems.add(new Problem("service", "not a configured target; configured: " + new TreeSet<>(limits.services())));
                }
                String failure = f.oneOf("failure_type", null, List.of("crash", "hang"));
                params.put("service", service).put("failure_type", failure);
                yield new ServiceFailure(service, "hang".equals(failure) ? ServiceFailure.FailureType.HANG
                        : ServiceFailure.FailureType.CRASH, duration);
            }
            case Backpressure.TYPE -> {
                double m = f.number("rate_multiplier", null, 0, 1000, false);
                if (limits.baselineRate() * m < limits.minMessageRate()) {
                    f.problems.add(new Problem("rate_multiplier", String.format(Locale.ROOT,
                            "baseline %s msg/s × %s = %.3g msg/s is below the floor of %s msg/s (STAMPEDE_MIN_MESSAGE_RATE)",
                            num(limits.baselineRate()), m, limits.baselineRate() * m, limits.minMessageRate())));
                }
                params.put("rate_multiplier", num(m));
                yield new Backpressure(m, duration);
            }
            case LoadTest.TYPE -> {
                double rps = f.number("rps", null, 0, limits.maxRps(), false);
                int payload = f.integer("payload_size", 1024, 16, 1 << 20);
                String url = f.string("target_url", limits.defaultTargetUrl(), false);
                URI uri = null;
                if (url != null) {
                    try {
                        uri = URI.create(url);
                        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                            f.problems.add(new Problem("target_url", "must be an http(s) URL"));
                        } else if (!limits.isLoadTarget(uri)) {
                            f.problems.add(new Problem("target_url", "must be one of the configured load targets "
                                    + limits.loadTargets() + " (STAMPEDE_LOAD_TARGETS adds more)"));
                        }
                    } catch (IllegalArgumentException e) {
                        f.problems.add(new Problem("target_url", "not a valid URL"));
                    }
                }
                params.put("rps", num(rps)).put("payload_size", payload).put("target_url", url);
                yield new LoadTest(rps, duration, payload, uri);
            }
            case DuplicateMessages.TYPE -> {
                double rate = f.number("duplicate_rate", null, 0, 1, false);
                int delay = f.integer("duplicate_delay_ms", 0, 0, 600_000);
                String mode = f.oneOf("mode", "app", List.of("app", "stream"));
                String source = f.oneOf("source", "baseline", List.of("baseline", "bus"));
                String subject = f.subject("subject", null);
                if ("bus".equals(source)) {
                    for (String k : List.of("mode", "duplicate_delay_ms")) {
                        if (body.containsKey(k)) {
                            f.problems.add(new Problem(k, "only with source baseline (bus duplicates are the same frame, at once)"));
                        }
                    }
                    subject = subject == null ? ">" : subject;
                } else if (subject != null) {
                    f.problems.add(new Problem("subject", "only with source bus"));
                }
                params.put("duplicate_rate", num(rate));
                if ("bus".equals(source)) {
                    // what is applied: the proxy's deliveries on subject, to_client (no delay, no mode)
                    params.put("source", source).put("subject", subject).put("direction", "to_client");
                } else {
                    params.put("duplicate_delay_ms", delay).put("mode", mode).put("source", source);
                }
                yield new DuplicateMessages(rate, duration, delay,
                        "stream".equals(mode) ? DuplicateMessages.Mode.STREAM : DuplicateMessages.Mode.APP,
                        "bus".equals(source) ? DuplicateMessages.Source.BUS : DuplicateMessages.Source.BASELINE, subject);
            }
            default -> throw new IllegalStateException(type);
        };
        if (!f.problems.isEmpty()) {
            return new Result(null, f.problems);
        }
        return new Result(new Parsed(spec, params, startAfter, abortIf), List.of());
    }

    /** Echo 10 as 10, not 10.0: params read back as the user wrote them. */
    static Number num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Number) (long) d : (Number) d;
    }

    private static AbortIf parseAbortIf(Object value, List<Problem> problems, Set<String> services) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject o)) {
            problems.add(new Problem("abort_if", "must be an object"));
            return null;
        }
        Fields f = new Fields(o);
        for (String key : o.fieldNames()) {
            if (!Set.of("error_rate_pct", "window_s", "target_down_s").contains(key)) {
                problems.add(new Problem("abort_if." + key, "unknown field"));
            }
        }
        Double rate = o.containsKey("error_rate_pct") ? f.number("error_rate_pct", null, 0, 100, true) : null;
        int window = f.integer("window_s", 30, 1, 3600);
        Map<String, Integer> down = new LinkedHashMap<>();
        Object d = o.getValue("target_down_s");
        if (d != null) {
            if (!(d instanceof JsonObject targets)) {
                f.problems.add(new Problem("target_down_s", "must be an object {target: seconds}"));
            } else {
                Fields tf = new Fields(targets);
                for (String t : targets.fieldNames()) {
                    if (!t.equals("nats") && !services.contains(t)) {
                        tf.problems.add(new Problem(t, "not a configured target; known: nats, " + new TreeSet<>(services)));
                    }
                    down.put(t, tf.integer(t, null, 1, MAX_DURATION_S));
                }
                tf.problems.forEach(p -> f.problems.add(p.prefixed("target_down_s.")));
            }
        }
        f.problems.forEach(p -> problems.add(p.prefixed("abort_if.")));
        AbortIf a = new AbortIf(rate, window, down);
        if (a.isEmpty() && f.problems.isEmpty()) {
            problems.add(new Problem("abort_if", "needs error_rate_pct or target_down_s"));
        }
        return a;
    }

    /** Typed reads that record a problem instead of throwing. */
    static final class Fields {
        final JsonObject body;
        final List<Problem> problems = new ArrayList<>();

        Fields(JsonObject body) {
            this.body = body;
        }

        String string(String key, String def, boolean required) {
            Object v = body.getValue(key);
            if (v == null) {
                if (required && def == null) {
                    problems.add(new Problem(key, "required"));
                }
                return def;
            }
            if (!(v instanceof String s)) {
                problems.add(new Problem(key, "must be a string"));
                return def;
            }
            if (s.isEmpty() || s.length() > 2048) {
                problems.add(new Problem(key, "must be 1..2048 characters"));
                return def;
            }
            return s;
        }

        /** A NATS subject filter ({@code *} and a last {@code >} allowed), optional. */
        String subject(String key, String def) {
            String s = string(key, def, false);
            if (s == null || s.equals(def)) {
                return s;
            }
            List<String> p = io.stampede.proxy.api.MessageRule.subjectProblems(s);
            if (!p.isEmpty()) {
                problems.add(new Problem(key, String.join("; ", p)));
                return def;
            }
            return s;
        }

        String oneOf(String key, String def, List<String> allowed) {
            String s = string(key, def, def == null);
            if (s != null && !allowed.contains(s)) {
                problems.add(new Problem(key, "must be one of " + allowed));
                return def;
            }
            return s;
        }

        /** Integral values only (60 and 60.0 are fine, 60.5 and "60" are not). */
        int integer(String key, Integer def, int min, int max) {
            Object v = body.getValue(key);
            if (v == null) {
                if (def == null) {
                    problems.add(new Problem(key, "required"));
                    return min;
                }
                return def;
            }
            BigDecimal d = decimal(v);
            if (d == null) {
                problems.add(new Problem(key, "must be an integer"));
                return def == null ? min : def;
            }
            if (d.stripTrailingZeros().scale() > 0) {
                problems.add(new Problem(key, "must be an integer"));
                return def == null ? min : def;
            }
            if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
                problems.add(new Problem(key, "must be between " + min + " and " + max));
                return def == null ? min : def;
            }
            return d.intValueExact();
        }

        /** A number in range; {@code minInclusive} false means strictly above min. Max is inclusive. */
        double number(String key, Double def, double min, double max, boolean minInclusive) {
            Object v = body.getValue(key);
            if (v == null) {
                if (def == null) {
                    problems.add(new Problem(key, "required"));
                    return max;
                }
                return def;
            }
            BigDecimal d = decimal(v);
            if (d == null) {
                problems.add(new Problem(key, "must be a number"));
                return def == null ? max : def;
            }
            int lo = d.compareTo(BigDecimal.valueOf(min));
            if ((minInclusive ? lo < 0 : lo <= 0) || d.compareTo(BigDecimal.valueOf(max)) > 0) {
                problems.add(new Problem(key, "must be " + (minInclusive ? ">= " : "> ") + fmt(min) + " and <= " + fmt(max)));
                return def == null ? max : def;
            }
            return d.doubleValue();
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }

        private static BigDecimal decimal(Object v) {
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                return BigDecimal.valueOf(((Number) v).longValue());
            }
            if (v instanceof BigInteger b) {
                return new BigDecimal(b);
            }
            if (v instanceof BigDecimal b) {
                return b;
            }
            if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
            }
            return null;
        }
    }
}
