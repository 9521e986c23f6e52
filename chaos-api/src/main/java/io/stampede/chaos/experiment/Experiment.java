package io.stampede.chaos.experiment;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One experiment's identity (immutable) and lifecycle state (guarded by the instance lock; the
 * lifecycle holds it across apply and revert so DELETE waits for an apply in flight).
 */
public final class Experiment {
    /** Where the fault itself stands, journaled so a restart knows what to revert. */
    public enum Fault { NONE, APPLYING, APPLIED, REVERTING, REVERTED }

    private final String id;
    private final ExperimentSpec spec;
    private final JsonObject params;
    private final String planId;
    private final AbortIf abortIf;
    private final Instant createdAt;
    private final Path runDir;

    private Instant startsAt;
    private Instant endsAt;
    private ExperimentState state;
    private Fault fault;
    private Instant appliedAt;
    private Instant revertedAt;
    private Instant endedAt;
    private String reason;
    private JsonObject token;

    public Experiment(String id, ExperimentSpec spec, JsonObject params, String planId, AbortIf abortIf,
                      Instant createdAt, Instant startsAt, Instant endsAt, Path runDir) {
        this.id = id;
        this.spec = spec;
        this.params = params.copy();
        this.planId = planId;
        this.abortIf = abortIf;
        this.createdAt = createdAt;
        this.startsAt = startsAt;
        this.endsAt = endsAt;
        this.runDir = runDir;
        this.state = ExperimentState.SCHEDULED;
        this.fault = Fault.NONE;
    }

    public String id() {
        return id;
    }

    public ExperimentSpec spec() {
        return spec;
    }

    public String type() {
        return spec.type();
    }

    public String planId() {
        return planId;
    }

    public AbortIf abortIf() {
        return abortIf;
    }

    public Path runDir() {
        return runDir;
    }

    public synchronized ExperimentState state() {
        return state;
    }

    public synchronized Fault fault() {
        return fault;
    }

    public synchronized Instant startsAt() {
        return startsAt;
    }

    public synchronized Instant endsAt() {
        return endsAt;
    }

    public synchronized JsonObject token() {
        return token;
    }

    public synchronized void applying(Instant now, Instant plannedEnd) {
        this.startsAt = now;
        this.endsAt = plannedEnd;
        this.fault = Fault.APPLYING;
    }

    public synchronized void applied(Instant now, JsonObject token) {
        this.state = ExperimentState.RUNNING;
        this.fault = Fault.APPLIED;
        this.appliedAt = now;
        this.token = token;
    }

    public synchronized void reverting() {
        this.fault = Fault.REVERTING;
    }

    public synchronized void reverted(Instant now) {
        this.fault = Fault.REVERTED;
        this.revertedAt = now;
    }

    public synchronized void end(ExperimentState finalState, Instant now, String why) {
        this.state = finalState;
        this.endedAt = now;
        if (why != null) {
            this.reason = why;
        }
    }

    /** Appends to the reason without ending (e.g. a revert that had to be retried). */
    public synchronized void note(String why) {
        this.reason = reason == null ? why : reason + "; " + why;
    }

    /** The API view; {@code stats} are the injector's live figures. */
    public synchronized JsonObject toJson(JsonObject stats) {
        JsonObject o = new JsonObject()
                .put("experiment_id", id)
                .put("type", spec.type())
                .put("status", state.json())
                .put("params", params.copy())
                .put("created_at", createdAt.toString())
                .put("starts_at", startsAt.toString())
                .put("ends_at", endsAt.toString())
                .put("fault", fault.name().toLowerCase(java.util.Locale.ROOT))
                .put("applied_at", appliedAt == null ? null : appliedAt.toString())
                .put("reverted_at", revertedAt == null ? null : revertedAt.toString())
                .put("ended_at", endedAt == null ? null : endedAt.toString())
                .put("reason", reason)
                .put("run_dir", runDir.toString());
        if (planId != null) {
            o.put("plan_id", planId);
        }
        if (abortIf != null) {
            o.put("abort_if", abortIfJson(abortIf));
        }
        if (stats != null) {
            o.put("stats", stats);
        }
        return o;
    }

    /** Everything needed to rebuild this experiment in a new process (journal record). */
    public synchronized JsonObject snapshot() {
        JsonObject o = toJson(null);
        o.put("token", token == null ? null : token.copy());
        return o;
    }

    public static Experiment fromSnapshot(JsonObject s) {
        String type = s.getString("type");
        JsonObject p = s.getJsonObject("params");
        ExperimentSpec spec = specFrom(type, p);
        AbortIf abortIf = null;
        JsonObject a = s.getJsonObject("abort_if");
        if (a != null) {
            Map<String, Integer> down = new HashMap<>();
            JsonObject d = a.getJsonObject("target_down_s", new JsonObject());
            d.fieldNames().forEach(k -> down.put(k, d.getInteger(k)));
            abortIf = new AbortIf(a.getDouble("error_rate_pct"), a.getInteger("window_s", 30), down);
        }
        Experiment e = new Experiment(s.getString("experiment_id"), spec, p, s.getString("plan_id"), abortIf,
                Instant.parse(s.getString("created_at")), Instant.parse(s.getString("starts_at")),
                Instant.parse(s.getString("ends_at")), Path.of(s.getString("run_dir")));
        e.state = ExperimentState.parse(s.getString("status"));
        e.fault = Fault.valueOf(s.getString("fault", "none").toUpperCase(java.util.Locale.ROOT));
        e.appliedAt = instant(s.getString("applied_at"));
        e.revertedAt = instant(s.getString("reverted_at"));
        e.endedAt = instant(s.getString("ended_at"));
        e.reason = s.getString("reason");
        e.token = s.getJsonObject("token");
        return e;
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

    /** Rebuilds a spec from its journaled (already validated) params. */
    static ExperimentSpec specFrom(String type, JsonObject p) {
        int d = p.getInteger("duration_s");
        return switch (type) {
            case NatsLatency.TYPE -> new NatsLatency(p.getInteger("delay_ms"), d, p.getDouble("jitter_pct", 0.0),
                    "both".equals(p.getString("direction")) ? NatsLatency.Direction.BOTH : NatsLatency.Direction.TO_SERVER);
            case ServiceFailure.TYPE -> new ServiceFailure(p.getString("service"),
                    "hang".equals(p.getString("failure_type")) ? ServiceFailure.FailureType.HANG : ServiceFailure.FailureType.CRASH, d);
            case Backpressure.TYPE -> new Backpressure(p.getDouble("rate_multiplier"), d);
            case LoadTest.TYPE -> new LoadTest(p.getDouble("rps"), d, p.getInteger("payload_size"), URI.create(p.getString("target_url")));
            case DuplicateMessages.TYPE -> new DuplicateMessages(p.getDouble("duplicate_rate"), d, p.getInteger("duplicate_delay_ms", 0),
                    "stream".equals(p.getString("mode")) ? DuplicateMessages.Mode.STREAM : DuplicateMessages.Mode.APP);
            default -> throw new IllegalArgumentException("unknown experiment type in journal: " + type);
        };
    }

    static JsonObject abortIfJson(AbortIf a) {
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
}
