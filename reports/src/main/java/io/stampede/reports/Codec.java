package io.stampede.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one serialisation of every object of a run directory (Jackson trees, so key order and
 * nulls are exactly as documented). Parsing is strict about the documented keys and lenient about
 * extra ones (a newer writer may add keys). Errors are {@link IllegalArgumentException}s that name
 * the key.
 */
final class Codec {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Codec() {}

    // ------------------------------------------------------------------ verdict.json

    static String verdictToJson(Verdict v) {
        return pretty(verdictNode(v));
    }

    static ObjectNode verdictNode(Verdict v) {
        ObjectNode n = F.objectNode();
        n.put("status", v.status().json());
        n.put("final", v.isFinal());
        n.put("id", v.id());
        n.put("type", v.type());
        n.put("evaluated_at_ms", v.evaluatedAtMs());
        ArrayNode cs = n.putArray("criteria");
        for (Criterion c : v.criteria()) {
            ObjectNode cn = cs.addObject();
            cn.put("id", c.id().json());
            cn.put("description", c.description());
            number(cn, "observed", c.observed());
            number(cn, "threshold", c.threshold());
            if (c.pass() == null) {
                cn.putNull("pass");
            } else {
                cn.put("pass", c.pass());
            }
        }
        Integrity i = v.integrity();
        ObjectNode in = n.putObject("integrity");
        in.put("expected", i.expected());
        in.put("delivered", i.delivered());
        in.put("lost", i.lost());
        in.put("duplicated", i.duplicated());
        in.put("overdue", i.overdue());
        in.put("unexpected", i.unexpected());
        in.put("republished", i.republished());
        Recovery r = v.recovery();
        ObjectNode rn = n.putObject("recovery");
        number(rn, "catch_up_s", r.catchUpS());
        if (r.targetHealthy() == null) {
            rn.putNull("target_healthy");
        } else {
            rn.put("target_healthy", r.targetHealthy());
        }
        number(rn, "observed_after_s", r.observedAfterS());
        number(rn, "decisions_during", r.decisionsDuring() == null ? null : r.decisionsDuring().doubleValue());
        number(rn, "decisions_after", r.decisionsAfter() == null ? null : r.decisionsAfter().doubleValue());
        ArrayNode steps = n.putArray("steps");
        for (Verdict.Step s : v.steps()) {
            ObjectNode sn = steps.addObject();
            sn.put("id", s.id());
            sn.put("type", s.type());
            sn.put("status", s.status().json());
            sn.put("final", s.isFinal());
        }
        FaultCounters f = v.fault();
        if (f == null) {
            n.putNull("fault");
        } else {
            ObjectNode fn = n.putObject("fault");
            fn.put("subject", f.subject());
            fn.put("direction", f.direction());
            fn.put("matched", f.matched());
            fn.put("delayed", f.delayed());
            fn.put("dropped", f.dropped());
            fn.put("duplicated", f.duplicated());
            fn.put("reordered", f.reordered());
        }
        ArrayNode reasons = n.putArray("reasons");
        for (Verdict.Reason reason : v.reasons()) {
            reasons.addObject().put("id", reason.id()).put("message", reason.message());
        }
        return n;
    }

    static Verdict verdictFromJson(String json) {
        JsonNode n = tree(json, "verdict.json");
        String where = "verdict.json";
        List<Criterion> criteria = new ArrayList<>();
        for (JsonNode c : array(n, "criteria", where)) {
            String cw = where + ".criteria";
            CriterionId id;
            try {
                id = CriterionId.fromJson(text(c, "id", cw));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(cw + ".id: " + e.getMessage());
            }
            JsonNode pass = field(c, "pass", cw);
            criteria.add(new Criterion(id, text(c, "description", cw), optDouble(c, "observed", cw),
                    dbl(c, "threshold", cw), pass.isNull() ? null : bool(c, "pass", cw)));
        }
        JsonNode in = object(n, "integrity", where);
        String iw = where + ".integrity";
        Integrity integrity = new Integrity(lng(in, "expected", iw), lng(in, "delivered", iw), lng(in, "lost", iw),
                lng(in, "duplicated", iw), lng(in, "overdue", iw), lng(in, "unexpected", iw), lng(in, "republished", iw));
        JsonNode rn = object(n, "recovery", where);
        String rw = where + ".recovery";
        JsonNode th = rn.get("target_healthy");
        Recovery recovery = new Recovery(th == null || th.isNull() ? null : bool(rn, "target_healthy", rw),
                optDouble(rn, "catch_up_s", rw), optDouble(rn, "observed_after_s", rw),
                optLong(rn, "decisions_during", rw), optLong(rn, "decisions_after", rw));
        List<Verdict.Step> steps = new ArrayList<>();
        JsonNode sn = n.get("steps");
        if (sn != null && !sn.isNull()) {
            for (JsonNode s : array(n, "steps", where)) {
                String sw = where + ".steps";
                steps.add(new Verdict.Step(text(s, "id", sw), optText(s, "type", sw), status(s, sw), bool(s, "final", sw)));
            }
        }
        // fault and reasons came later: a verdict.json without them has neither
        FaultCounters fault = null;
        JsonNode fn = n.get("fault");
        if (fn != null && !fn.isNull()) {
            String fw = where + ".fault";
            JsonNode f = object(n, "fault", where);
            fault = new FaultCounters(text(f, "subject", fw), text(f, "direction", fw), lng(f, "matched", fw),
                    lng(f, "delayed", fw), lng(f, "dropped", fw), lng(f, "duplicated", fw), lng(f, "reordered", fw));
        }
        List<Verdict.Reason> reasons = new ArrayList<>();
        JsonNode rs = n.get("reasons");
        if (rs != null && !rs.isNull()) {
            for (JsonNode r : array(n, "reasons", where)) {
                reasons.add(new Verdict.Reason(text(r, "id", where + ".reasons"), text(r, "message", where + ".reasons")));
            }
        }
        try {
            return new Verdict(status(n, where), bool(n, "final", where), text(n, "id", where), text(n, "type", where),
                    lng(n, "evaluated_at_ms", where), criteria, integrity, recovery, steps, fault, reasons);
        } catch (NullPointerException | IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Status status(JsonNode n, String where) {
        try {
            return Status.fromJson(text(n, "status", where));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".status: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ run.json

    static String runInfoToJson(RunInfo r) {
        ObjectNode n = F.objectNode();
        n.put("format", r.format());
        n.put("id", r.id());
        n.put("type", r.type());
        n.put("plan_id", r.planId());
        n.put("producer", r.producer());
        n.put("created_at_ms", r.createdAtMs());
        n.put("started_at_ms", r.startedAtMs());
        n.put("ended_at_ms", r.endedAtMs());
        n.set("params", COMPACT.valueToTree(r.params()));
        return pretty(n);
    }

    static RunInfo runInfoFromJson(String json) {
        String w = "run.json";
        JsonNode n = tree(json, w);
        return new RunInfo(text(n, "format", w), text(n, "id", w), text(n, "type", w), optText(n, "plan_id", w),
                text(n, "producer", w), lng(n, "created_at_ms", w), optLong(n, "started_at_ms", w),
                optLong(n, "ended_at_ms", w), map(n.get("params")));
    }

    // ------------------------------------------------------------------ timeline.jsonl

    static String timelineLine(TimelineEvent e) {
        ObjectNode n = F.objectNode();
        n.put("ts_ms", e.tsMs());
        n.put("event", e.event());
        n.put("experiment_id", e.experimentId());
        n.set("data", COMPACT.valueToTree(e.data()));
        return compact(n);
    }

    static TimelineEvent timelineFromLine(String line) {
        String w = "timeline.jsonl";
        JsonNode n = tree(line, w);
        return new TimelineEvent(lng(n, "ts_ms", w), text(n, "event", w), optText(n, "experiment_id", w), map(n.get("data")));
    }

    // ------------------------------------------------------------------ counters.jsonl

    static String acceptedLine(AcceptedIds a) {
        ObjectNode n = F.objectNode();
        n.put("ts_ms", a.tsMs());
        n.put("id_prefix", a.idPrefix());
        ArrayNode seqs = n.putArray("seqs");
        for (long s : a.seqs()) {
            seqs.add(s);
        }
        return compact(n);
    }

    static AcceptedIds acceptedFromLine(String line) {
        String w = "accepted.jsonl";
        JsonNode n = tree(line, w);
        JsonNode seqs = n.get("seqs");
        if (seqs == null || !seqs.isArray()) {
            throw new IllegalArgumentException(w + ": seqs must be an array");
        }
        long[] out = new long[seqs.size()];
        for (int i = 0; i < out.length; i++) {
            if (!seqs.get(i).canConvertToLong()) {
                throw new IllegalArgumentException(w + ": seqs[" + i + "] must be an integer");
            }
            out[i] = seqs.get(i).asLong();
        }
        return new AcceptedIds(lng(n, "ts_ms", w), text(n, "id_prefix", w), out);
    }

    static String counterLine(CounterRecord c) {
        return compact(counterNode(c));
    }

    private static ObjectNode counterNode(CounterRecord c) {
        ObjectNode n = F.objectNode();
        n.put("ts_ms", c.tsMs());
        n.put("source", c.source());
        n.put("experiment_id", c.experimentId());
        n.set("values", numbers(c.values()));
        return n;
    }

    static CounterRecord counterFromLine(String line) {
        return counterFromNode(tree(line, "counters.jsonl"), "counters.jsonl");
    }

    private static CounterRecord counterFromNode(JsonNode n, String w) {
        return new CounterRecord(lng(n, "ts_ms", w), text(n, "source", w), optText(n, "experiment_id", w),
                numbers(object(n, "values", w), w + ".values"));
    }

    // ------------------------------------------------------------------ summary.json

    static String summaryToJson(Summary s) {
        ObjectNode n = F.objectNode();
        n.put("run_id", s.runId());
        n.put("completed", s.completed());
        n.put("ended_at_ms", s.endedAtMs());
        ArrayNode cs = n.putArray("counters");
        s.counters().forEach(c -> cs.add(counterNode(c)));
        ArrayNode ls = n.putArray("latency");
        for (LatencyStats l : s.latency()) {
            ObjectNode ln = ls.addObject();
            ln.put("series", l.series());
            ln.put("tag", l.tag());
            ln.put("count", l.count());
            ln.put("min_us", l.minUs());
            ln.put("mean_us", l.meanUs());
            ln.put("p50_us", l.p50Us());
            ln.put("p90_us", l.p90Us());
            ln.put("p95_us", l.p95Us());
            ln.put("p99_us", l.p99Us());
            ln.put("p999_us", l.p999Us());
            ln.put("max_us", l.maxUs());
        }
        n.set("values", numbers(s.values()));
        return pretty(n);
    }

    static Summary summaryFromJson(String json) {
        String w = "summary.json";
        JsonNode n = tree(json, w);
        List<CounterRecord> counters = new ArrayList<>();
        for (JsonNode c : array(n, "counters", w)) {
            counters.add(counterFromNode(c, w + ".counters"));
        }
        List<LatencyStats> latency = new ArrayList<>();
        String lw = w + ".latency";
        for (JsonNode l : array(n, "latency", w)) {
            latency.add(new LatencyStats(text(l, "series", lw), optText(l, "tag", lw), lng(l, "count", lw),
                    lng(l, "min_us", lw), dbl(l, "mean_us", lw), lng(l, "p50_us", lw), lng(l, "p90_us", lw),
                    lng(l, "p95_us", lw), lng(l, "p99_us", lw), lng(l, "p999_us", lw), lng(l, "max_us", lw)));
        }
        JsonNode values = n.get("values");
        return new Summary(text(n, "run_id", w), bool(n, "completed", w), lng(n, "ended_at_ms", w), counters, latency,
                values == null || values.isNull() ? Map.of() : numbers(object(n, "values", w), w + ".values"));
    }

    // ------------------------------------------------------------------ generic

    /** A JSON object's text as a Map (numbers as Integer/Long/Double, as Jackson reads them). */
    static Map<String, Object> objectMap(String json) {
        JsonNode n = tree(json, "criteria");
        return map(n);
    }

    private static Map<String, Object> map(JsonNode n) {
        if (n == null || n.isNull()) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + n.getNodeType().toString().toLowerCase());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) java(n);
        return m;
    }

    /** A JSON tree as plain Java values: Map, List, String, Boolean, Long (or BigInteger), Double, null. */
    private static Object java(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), java(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(e -> l.add(java(e)));
            return l;
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        return n.asText();
    }

    /**
     * The same normal form for values a caller passes in: Integer/Short/Byte become Long, Float
     * becomes Double, maps and lists are copied (insertion order kept), so a record equals itself
     * read back. Other values are kept as they are (Jackson serialises them).
     */
    static Object normalize(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), normalize(x)));
            return java.util.Collections.unmodifiableMap(out);
        }
        if (v instanceof Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            it.forEach(x -> out.add(normalize(x)));
            return java.util.Collections.unmodifiableList(out);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> normalizeMap(Map<String, ?> m) {
        return m == null ? Map.of() : (Map<String, Object>) normalize(m);
    }

    /**
     * Numbers in the form they are read back in: Long for whole values (1000.0 is written as 1000),
     * Double otherwise.
     */
    static Map<String, Number> normalizeNumbers(Map<String, ? extends Number> m) {
        Map<String, Number> out = new LinkedHashMap<>();
        if (m != null) {
            m.forEach((k, v) -> {
                if (v == null) {
                    throw new IllegalArgumentException("value of " + k + " is null");
                }
                double d = v.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("value of " + k + " is not a finite number: " + d);
                }
                boolean whole = !(v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal)
                        || (d == Math.rint(d) && Math.abs(d) < 1e15);
                out.put(k, whole ? (Number) v.longValue() : (Number) d);
            });
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static ObjectNode numbers(Map<String, Number> values) {
        ObjectNode n = F.objectNode();
        values.forEach((k, v) -> number(n, k, v == null ? null : v.doubleValue()));
        return n;
    }

    private static Map<String, Number> numbers(JsonNode n, String where) {
        Map<String, Number> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isNumber()) {
                throw new IllegalArgumentException(where + "." + e.getKey() + ": expected a number");
            }
            out.put(e.getKey(), v.isIntegralNumber() && v.canConvertToLong() ? (Number) v.longValue() : (Number) v.doubleValue());
        }
        return out;
    }

    /** Integral values as JSON integers (0, not 0.0), others as doubles, null as null. */
    private static void number(ObjectNode n, String key, Double v) {
        if (v == null) {
            n.putNull(key);
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            n.put(key, v.longValue());
        } else {
            n.put(key, v);
        }
    }

    private static JsonNode tree(String json, String where) {
        try {
            JsonNode n = COMPACT.readTree(json);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(where + ": expected a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not JSON: " + e.getOriginalMessage());
        }
    }

    private static String pretty(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String compact(JsonNode n) {
        try {
            return COMPACT.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode field(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null) {
            throw new IllegalArgumentException(where + "." + key + ": missing");
        }
        return v;
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + "." + key + ": expected a string");
        }
        return v.textValue();
    }

    private static String optText(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        return text(n, key, where);
    }

    private static long lng(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(where + "." + key + ": expected a whole number");
        }
        return v.longValue();
    }

    private static Long optLong(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : lng(n, key, where);
    }

    private static double dbl(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(where + "." + key + ": expected a number");
        }
        return v.doubleValue();
    }

    private static Double optDouble(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : dbl(n, key, where);
    }

    private static boolean bool(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(where + "." + key + ": expected true or false");
        }
        return v.booleanValue();
    }

    private static JsonNode object(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isObject()) {
            throw new IllegalArgumentException(where + "." + key + ": expected an object");
        }
        return v;
    }

    private static Iterable<JsonNode> array(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isArray()) {
            throw new IllegalArgumentException(where + "." + key + ": expected an array");
        }
        return v;
    }
}
