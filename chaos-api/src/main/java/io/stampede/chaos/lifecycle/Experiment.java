package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.AbortIf;
import io.stampede.chaos.experiment.Criteria;
import io.stampede.chaos.experiment.ExperimentSpec;
import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.chaos.experiment.SpecCodec;
import io.stampede.reports.Thresholds;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One experiment: its identity (immutable) and its lifecycle state as an immutable {@link View}
 * published through a volatile field. Readers (HTTP handlers, /metrics gauges, guardrails) take
 * the view and never wait; only the runner changes it, holding {@link #transitions} across an
 * apply or a revert so a DELETE waits for an apply in flight. No reader takes that lock.
 *
 * <p>What was asked is held typed: the spec, its {@link AbortIf} and its {@link Criteria}
 * (thresholds parsed once, at POST). Its JSON, in the API and in the journal, is
 * {@link SpecCodec}'s.
 */
public final class Experiment {
    /** Where the fault itself stands, journaled so a restart knows what to revert. */
    public enum Fault {
        NONE, APPLYING, APPLIED, REVERTING, REVERTED;

        /** Applying, applied or half-reverted: only a revert makes it safe. */
        public boolean mayBeApplied() {
            return this == APPLYING || this == APPLIED || this == REVERTING;
        }

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Everything that changes, as one immutable value. */
    public record View(ExperimentState state, Fault fault, Instant startsAt, Instant endsAt, Instant appliedAt,
                       Instant revertedAt, Instant endedAt, String reason, JsonObject token, String revertError,
                       int revertAttempts) {
        View with(ExperimentState s, Fault f) {
            return new View(s, f, startsAt, endsAt, appliedAt, revertedAt, endedAt, reason, token, revertError, revertAttempts);
        }
    }

    private final String id;
    private final ExperimentSpec spec;
    private final Criteria criteria;
    private final String planId;
    private final AbortIf abortIf;
    private final Instant createdAt;
    private final Path runDir;
    /** Held by the runner across apply and revert; never by a reader. */
    final ReentrantLock transitions = new ReentrantLock();
    private volatile View view;

    /** {@code criteria}: the POST's threshold overrides, null for the seed's defaults. */
    public Experiment(String id, ExperimentSpec spec, Criteria criteria, String planId, AbortIf abortIf,
                      Instant createdAt, Instant startsAt, Instant endsAt, Path runDir) {
        this.id = id;
        this.spec = spec;
        this.criteria = criteria;
        this.planId = planId;
        this.abortIf = abortIf;
        this.createdAt = createdAt;
        this.runDir = runDir;
        this.view = new View(ExperimentState.SCHEDULED, Fault.NONE, startsAt, endsAt, null, null, null, null, null, null, 0);
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

    /** The thresholds its verdict judges against: the POST's {@code criteria} over the seed's defaults. */
    public Thresholds thresholds() {
        return criteria == null ? Thresholds.DEFAULTS : criteria.thresholds();
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** The current state, without waiting on anything. */
    public View view() {
        return view;
    }

    public ExperimentState state() {
        return view.state();
    }

    public Fault fault() {
        return view.fault();
    }

    public Instant startsAt() {
        return view.startsAt();
    }

    public Instant endsAt() {
        return view.endsAt();
    }

    public JsonObject token() {
        JsonObject t = view.token();
        return t == null ? null : t.copy();
    }

    // ---------------------------------------------------------------- transitions (runner only)

    synchronized void applying(Instant now, Instant plannedEnd) {
        View v = view;
        view = new View(v.state(), Fault.APPLYING, now, plannedEnd, v.appliedAt(), v.revertedAt(), v.endedAt(), v.reason(),
                v.token(), v.revertError(), v.revertAttempts());
    }

    synchronized void applied(Instant now, JsonObject token) {
        View v = view;
        view = new View(ExperimentState.RUNNING, Fault.APPLIED, v.startsAt(), v.endsAt(), now, v.revertedAt(), v.endedAt(),
                v.reason(), token == null ? new JsonObject() : token.copy(), v.revertError(), v.revertAttempts());
    }

    /** The apply never began (the journal refused to record it). */
    synchronized void notApplied() {
        view = view.with(view.state(), Fault.NONE);
    }

    synchronized void reverting() {
        view = view.with(view.state(), Fault.REVERTING);
    }

    synchronized void revertFailed(String error) {
        View v = view;
        view = new View(v.state(), Fault.REVERTING, v.startsAt(), v.endsAt(), v.appliedAt(), v.revertedAt(), v.endedAt(),
                v.reason(), v.token(), error, v.revertAttempts() + 1);
    }

    synchronized void reverted(Instant now) {
        View v = view;
        view = new View(v.state(), Fault.REVERTED, v.startsAt(), v.endsAt(), v.appliedAt(), now, v.endedAt(), v.reason(),
                v.token(), null, v.revertAttempts() + 1);
    }

    synchronized void end(ExperimentState finalState, Instant now, String why) {
        View v = view;
        view = new View(finalState, v.fault(), v.startsAt(), v.endsAt(), v.appliedAt(), v.revertedAt(), now,
                why != null ? why : v.reason(), v.token(), v.revertError(), v.revertAttempts());
    }

    /** Appends to the reason without ending (e.g. a revert that had to be retried). */
    synchronized void note(String why) {
        View v = view;
        String r = v.reason() == null ? why : v.reason() + "; " + why;
        view = new View(v.state(), v.fault(), v.startsAt(), v.endsAt(), v.appliedAt(), v.revertedAt(), v.endedAt(), r,
                v.token(), v.revertError(), v.revertAttempts());
    }

    // ---------------------------------------------------------------- JSON

    /** The API view; {@code stats} are the injector's live figures (null: left out). */
    public JsonObject toJson(JsonObject stats) {
        return toJson(view, stats);
    }

    /**
     * The API view as of {@code v} (an earlier {@link #view()}): a reader that takes the view before
     * the injector's figures never shows figures older than the state beside them.
     */
    public JsonObject toJson(View v, JsonObject stats) {
        JsonObject o = new JsonObject()
                .put("experiment_id", id)
                .put("type", spec.type())
                .put("status", v.state().json())
                .put("params", SpecCodec.toJson(spec, criteria))
                .put("created_at", createdAt.toString())
                .put("starts_at", v.startsAt().toString())
                .put("ends_at", v.endsAt().toString())
                .put("fault", v.fault().json())
                .put("applied_at", v.appliedAt() == null ? null : v.appliedAt().toString())
                .put("reverted_at", v.revertedAt() == null ? null : v.revertedAt().toString())
                .put("ended_at", v.endedAt() == null ? null : v.endedAt().toString())
                .put("reason", v.reason())
                .put("run_dir", runDir.toString());
        if (v.revertError() != null) {
            o.put("revert_error", v.revertError()).put("revert_attempts", v.revertAttempts());
        }
        if (planId != null) {
            o.put("plan_id", planId);
        }
        if (abortIf != null) {
            o.put("abort_if", SpecCodec.toJson(abortIf));
        }
        if (stats != null) {
            o.put("stats", stats);
        }
        return o;
    }

    /** Everything needed to rebuild this experiment in a new process (journal record). */
    public JsonObject snapshot() {
        View v = view;
        JsonObject o = toJson(v, null);
        o.put("token", v.token() == null ? null : v.token().copy());
        return o;
    }

    /** Rebuilds an experiment from its journal record ({@link #snapshot}), its spec through {@link SpecCodec}. */
    public static Experiment fromSnapshot(JsonObject s) {
        SpecCodec.Parsed p = SpecCodec.decode(s.getString("type"), s.getJsonObject("params"), s.getJsonObject("abort_if"));
        Experiment e = new Experiment(s.getString("experiment_id"), p.spec(), p.criteria(), s.getString("plan_id"), p.abortIf(),
                Instant.parse(s.getString("created_at")), Instant.parse(s.getString("starts_at")),
                Instant.parse(s.getString("ends_at")), Path.of(s.getString("run_dir")));
        e.view = new View(ExperimentState.parse(s.getString("status")),
                Fault.valueOf(s.getString("fault", "none").toUpperCase(Locale.ROOT)),
                e.view.startsAt(), e.view.endsAt(), instant(s.getString("applied_at")), instant(s.getString("reverted_at")),
                instant(s.getString("ended_at")), s.getString("reason"), s.getJsonObject("token"),
                s.getString("revert_error"), s.getInteger("revert_attempts", 0));
        return e;
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
