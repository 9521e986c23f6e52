package io.stampede.chaos.experiment;

import io.stampede.reports.Thresholds;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one mapping between JSON and {@link ExperimentSpec}. {@link #parse} turns a request body into
 * a typed spec, filling defaults and collecting every problem (wrong type, out of range, missing,
 * unknown field) rather than the first; {@link #toJson} writes a spec back as the API's
 * {@code params} (defaults filled), which is also what the journal keeps; {@link #decode} reads
 * that back after a restart with the same rules.
 */
public final class SpecCodec {
    public static final int MAX_DURATION_S = 86_400;
    public static final int MAX_START_AFTER_S = 7 * 86_400;
    /** Fields any experiment body may carry besides its type's parameters. */
    static final Set<String> COMMON = Set.of("type", "duration_s", "start_after_s", "abort_if", "criteria");
    private static final Set<String> ABORT_IF_FIELDS = Set.of("error_rate_pct", "window_s", "target_down_s");

    /** Every type name, sorted. */
    public static final Set<String> TYPES = SpecType.NAMES;

    /** A parsed experiment request: the spec, its schedule, guardrails and thresholds (null: none given). */
    public record Parsed(ExperimentSpec spec, double startAfterS, AbortIf abortIf, Criteria criteria) {
        /** The spec as the API shows it ({@link SpecCodec#toJson}). */
        public JsonObject params() {
            return toJson(spec, criteria);
        }
    }

    /** Either a parsed request or its problems. */
    public record Result(Parsed parsed, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Reads journaled specs: what was admitted then is not judged again by today's configuration. */
    private static final SpecCodec STORED = new SpecCodec(null);

    /** Null when reading a stored spec (no configuration check). */
    private final Limits limits;

    /** A codec that also checks a body against the server's configuration (targets, rates). */
    public SpecCodec(Limits limits) {
        this.limits = limits;
    }

    // ---------------------------------------------------------------- JSON → spec

    public Result parse(JsonObject body) {
        JsonFields f = new JsonFields(body);
        String name = f.string("type", null, true);
        if (name == null) {
            return new Result(null, f.problems);
        }
        SpecType type = SpecType.fromJson(name).orElse(null);
        if (type == null) {
            f.problems.add(new Problem("type", "unknown type '" + name + "', expected one of " + TYPES));
            return new Result(null, f.problems);
        }
        for (String key : body.fieldNames()) {
            if (!COMMON.contains(key) && !type.fields().contains(key)) {
                f.problems.add(new Problem(key, "unknown field for type " + name));
            }
        }
        int duration = f.integer("duration_s", null, 1, MAX_DURATION_S);
        double startAfter = f.number("start_after_s", 0.0, 0, MAX_START_AFTER_S, true);
        AbortIf abortIf = abortIf(body.getValue("abort_if"), f.problems);
        Criteria criteria = criteria(body.getValue("criteria"), f.problems);
        ExperimentSpec spec = switch (type) {
            case NATS_LATENCY -> natsLatency(f, duration);
            case MESSAGE_FAULTS -> messageFaults(f, duration);
            case SERVICE_FAILURE -> serviceFailure(f, duration);
            case BACKPRESSURE -> backpressure(f, duration);
            case LOAD_TEST -> loadTest(f, duration);
            case DUPLICATE_MESSAGES -> duplicateMessages(f, duration);
        };
        if (!f.problems.isEmpty()) {
            return new Result(null, f.problems);
        }
        return new Result(new Parsed(spec, startAfter, abortIf, criteria), List.of());
    }

    /**
     * A journaled spec back ({@code type}, {@code params} and {@code abort_if} as {@link #toJson}
     * wrote them, today or by an earlier version); throws if it does not parse.
     */
    public static Parsed decode(String type, JsonObject params, JsonObject abortIf) {
        JsonObject body = params.copy().put("type", type);
        if (SpecType.DUPLICATE_MESSAGES.json().equals(type) && "bus".equals(params.getString("source"))) {
            body.remove("direction"); // shown, not asked for: bus duplicates are always to_client
        }
        if (abortIf != null) {
            body.put("abort_if", abortIf.copy());
        }
        Result r = STORED.parse(body);
        if (!r.ok()) {
            throw new IllegalArgumentException("journaled " + type + " does not parse: " + r.problems());
        }
        return r.parsed();
    }

    private static NatsLatency natsLatency(JsonFields f, int duration) {
        int delay = f.integer("delay_ms", null, 0, 60_000);
        double jitter = f.number("jitter_pct", 0.0, 0, 1, true);
        String dir = f.oneOf("direction", "to_server", List.of("to_server", "both"));
        String subject = f.subject("subject", null);
        return new NatsLatency(delay, duration, jitter, constant(NatsLatency.Direction.class, dir), subject);
    }

    private static MessageFaults messageFaults(JsonFields f, int duration) {
        String subject = f.subject("subject", null);
        if (subject == null && !f.body.containsKey("subject")) {
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
        return new MessageFaults(subject, constant(MessageFaults.Direction.class, dir), client, drop, dup, delay, jitter,
                reorder, duration);
    }

    private ServiceFailure serviceFailure(JsonFields f, int duration) {
        String service = f.string("service", null, true);
        if (limits != null && service != null && !limits.services().contains(service)) {
            f.problems.add(new Problem("service", "not a configured target; configured: " + new TreeSet<>(limits.services())));
        }
        String failure = f.oneOf("failure_type", null, List.of("crash", "hang"));
        return new ServiceFailure(service, "hang".equals(failure) ? ServiceFailure.FailureType.HANG
                : ServiceFailure.FailureType.CRASH, duration);
    }

    private Backpressure backpressure(JsonFields f, int duration) {
        double m = f.number("rate_multiplier", null, 0, 1000, false);
        if (limits != null && limits.baselineRate() * m < limits.minMessageRate()) {
            f.problems.add(new Problem("rate_multiplier", String.format(Locale.ROOT,
                    "baseline %s msg/s × %s = %.3g msg/s is below the floor of %s msg/s (STAMPEDE_MIN_MESSAGE_RATE)",
                    num(limits.baselineRate()), m, limits.baselineRate() * m, limits.minMessageRate())));
        }
        return new Backpressure(m, duration);
    }

    private LoadTest loadTest(JsonFields f, int duration) {
        double rps = f.number("rps", null, 0, limits == null ? Double.MAX_VALUE : limits.maxRps(), false);
        int payload = f.integer("payload_size", 1024, 16, 1 << 20);
        // no default without the system file's http section: then the field is required
        String url = f.string("target_url", limits == null ? null : limits.defaultTargetUrl(),
                limits == null || limits.defaultTargetUrl() == null);
        URI uri = null;
        if (url != null) {
            try {
                uri = URI.create(url);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                    f.problems.add(new Problem("target_url", "must be an http(s) URL"));
                } else if (limits != null && !limits.isLoadTarget(uri)) {
                    f.problems.add(new Problem("target_url", "must be one of the configured load targets "
                            + limits.loadTargets() + " (STAMPEDE_LOAD_TARGETS adds more)"));
                }
            } catch (IllegalArgumentException e) {
                f.problems.add(new Problem("target_url", "not a valid URL"));
            }
        }
        return new LoadTest(rps, duration, payload, uri);
    }

    private static DuplicateMessages duplicateMessages(JsonFields f, int duration) {
        double rate = f.number("duplicate_rate", null, 0, 1, false);
        int delay = f.integer("duplicate_delay_ms", 0, 0, 600_000);
        String mode = f.oneOf("mode", "app", List.of("app", "stream"));
        String source = f.oneOf("source", "baseline", List.of("baseline", "bus"));
        String subject = f.subject("subject", null);
        if ("bus".equals(source)) {
            for (String k : List.of("mode", "duplicate_delay_ms")) {
                if (f.body.containsKey(k)) {
                    f.problems.add(new Problem(k, "only with source baseline (bus duplicates are the same frame, at once)"));
                }
            }
            subject = subject == null ? ">" : subject;
        } else if (subject != null) {
            f.problems.add(new Problem("subject", "only with source bus"));
        }
        return new DuplicateMessages(rate, duration, delay, constant(DuplicateMessages.Mode.class, mode),
                constant(DuplicateMessages.Source.class, source), subject);
    }

    private AbortIf abortIf(Object value, List<Problem> problems) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject o)) {
            problems.add(new Problem("abort_if", "must be an object"));
            return null;
        }
        JsonFields f = new JsonFields(o);
        for (String key : o.fieldNames()) {
            if (!ABORT_IF_FIELDS.contains(key)) {
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
                JsonFields tf = new JsonFields(targets);
                for (String t : targets.fieldNames()) {
                    if (limits != null && !t.equals("nats") && !limits.services().contains(t)) {
                        tf.problems.add(new Problem(t, "not a configured target; known: nats, " + new TreeSet<>(limits.services())));
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

    private static Criteria criteria(Object value, List<Problem> problems) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject c)) {
            problems.add(new Problem("criteria", "must be an object of thresholds " + Thresholds.KEYS));
            return null;
        }
        Thresholds.Parsed t = Thresholds.parse(c.getMap());
        t.problems().forEach(p -> problems.add(new Problem("criteria." + p.field(), p.problem())));
        return t.ok() ? new Criteria(c, t.thresholds()) : null;
    }

    // ---------------------------------------------------------------- spec → JSON

    /** The API's {@code params} of a spec: every parameter with its default filled, as the journal keeps them. */
    public static JsonObject toJson(ExperimentSpec spec, Criteria criteria) {
        JsonObject o = new JsonObject().put("duration_s", spec.durationS());
        if (criteria != null) {
            o.put("criteria", criteria.overrides());
        }
        return o.mergeIn(switch (spec.kind()) {
            case NATS_LATENCY -> natsLatency((NatsLatency) spec);
            case MESSAGE_FAULTS -> messageFaults((MessageFaults) spec);
            case SERVICE_FAILURE -> new JsonObject().put("service", ((ServiceFailure) spec).service())
                    .put("failure_type", json(((ServiceFailure) spec).failureType()));
            case BACKPRESSURE -> new JsonObject().put("rate_multiplier", num(((Backpressure) spec).rateMultiplier()));
            case LOAD_TEST -> loadTest((LoadTest) spec);
            case DUPLICATE_MESSAGES -> duplicateMessages((DuplicateMessages) spec);
        });
    }

    private static JsonObject natsLatency(NatsLatency n) {
        JsonObject o = new JsonObject().put("delay_ms", n.delayMs()).put("jitter_pct", num(n.jitterPct()))
                .put("direction", json(n.direction()));
        return n.subject() == null ? o : o.put("subject", n.subject());
    }

    private static JsonObject messageFaults(MessageFaults m) {
        JsonObject o = new JsonObject().put("subject", m.subject()).put("direction", json(m.direction()))
                .put("drop_rate", num(m.dropRate())).put("duplicate_rate", num(m.duplicateRate())).put("delay_ms", m.delayMs())
                .put("jitter_pct", num(m.jitterPct())).put("reorder_window_ms", m.reorderWindowMs());
        return m.client() == null ? o : o.put("client", m.client());
    }

    private static JsonObject loadTest(LoadTest l) {
        return new JsonObject().put("rps", num(l.rps())).put("payload_size", l.payloadSize())
                .put("target_url", l.targetUrl().toString());
    }

    private static JsonObject duplicateMessages(DuplicateMessages d) {
        JsonObject o = new JsonObject().put("duplicate_rate", num(d.duplicateRate()));
        if (d.source() == DuplicateMessages.Source.BUS) {
            // what is applied: the proxy's deliveries on subject, to_client (no delay, no mode)
            return o.put("source", json(d.source())).put("subject", d.subject()).put("direction", "to_client");
        }
        return o.put("duplicate_delay_ms", d.duplicateDelayMs()).put("mode", json(d.mode())).put("source", json(d.source()));
    }

    /** The API's {@code abort_if}. */
    public static JsonObject toJson(AbortIf a) {
        JsonObject o = new JsonObject();
        if (a.errorRatePct() != null) {
            o.put("error_rate_pct", a.errorRatePct()).put("window_s", a.windowS());
        }
        if (!a.targetDownS().isEmpty()) {
            JsonObject d = new JsonObject();
            a.targetDownS().forEach(d::put);
            o.put("target_down_s", d);
        }
        return o;
    }

    /** Echo 10 as 10, not 10.0: params read back as the user wrote them. */
    static Number num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Number) (long) d : (Number) d;
    }

    private static String json(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String json) {
        return json == null ? type.getEnumConstants()[0] : Enum.valueOf(type, json.toUpperCase(Locale.ROOT));
    }
}
