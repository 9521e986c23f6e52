package io.stampede.reports;

import java.util.ArrayList;
import java.util.List;

/**
 * Judges an {@link Observation} against {@link Thresholds}: a pure function, no I/O, no clock
 * (the evaluation time is an argument).
 *
 * <p>Rules (README "Verdict"):
 * <ul>
 *   <li>only the criteria {@link CriteriaTable} lists for the type, in {@link CriterionId} order;</li>
 *   <li>a criterion with no samples has {@code observed = null, pass = null}: never a pass;</li>
 *   <li>a final verdict is {@code fail} if any criterion failed, else {@code inconclusive} if any
 *       had no samples (or there were no criteria) or the run's message fault matched nothing
 *       ({@link Verdict.Reason#FAULT_MATCHED_NOTHING}), else {@code pass};</li>
 *   <li>a live verdict is {@code pending}, its {@code lost} is 0 and {@code overdue} carries the
 *       missing ids (nothing is called lost while it may still arrive).</li>
 * </ul>
 */
public final class VerdictBuilder {
    private VerdictBuilder() {}

    public static Verdict build(Observation o, Thresholds t, long evaluatedAtMs) {
        Integrity integrity = integrity(o);
        List<Criterion> criteria = new ArrayList<>();
        for (CriterionId id : CriteriaTable.criteria(o.type)) {
            criteria.add(judge(id, o, integrity, t));
        }
        Recovery recovery = new Recovery(o.targetHealthy, o.catchUpS, o.observedAfterS, o.decisionsDuring, o.decisionsAfter);
        List<Verdict.Reason> reasons = new ArrayList<>();
        if (o.fault != null && o.fault.matched() == 0) {
            reasons.add(new Verdict.Reason(Verdict.Reason.FAULT_MATCHED_NOTHING, "the fault on subject " + o.fault.subject()
                    + " (" + o.fault.direction() + ") matched 0 messages" + (o.isFinal ? " during its whole window" : " so far")
                    + ": it had no effect, so the criteria judge nothing it did"));
        }
        Status status = o.isFinal ? statusOf(criteria) : Status.PENDING;
        if (status == Status.PASS && !reasons.isEmpty()) {
            status = Status.INCONCLUSIVE;
        }
        return new Verdict(status, o.isFinal, o.id, o.type.json(), evaluatedAtMs, criteria, integrity, recovery, List.of(),
                o.fault, reasons);
    }

    /**
     * A plan's verdict: its own criteria (when {@code own} is given: the plan's whole window, type
     * {@code plan}) and its steps' statuses. Final once every step (and {@code own}) is final, then
     * {@code fail > inconclusive > pass} over them; a plan without steps is inconclusive; pending
     * while any part is pending. Without {@code own}, integrity is the sum of the steps' (which
     * counts a message twice when two steps answer for it) and there are no plan-level criteria.
     */
    public static Verdict plan(String planId, List<Verdict> steps, Observation own, Thresholds t, long evaluatedAtMs) {
        if (own != null && own.type != RunType.PLAN) {
            throw new IllegalArgumentException("a plan's own observation has type plan, not " + own.type.json());
        }
        Verdict ownVerdict = own == null ? null : build(own, t, evaluatedAtMs);
        boolean isFinal = (ownVerdict == null || ownVerdict.isFinal()) && steps.stream().allMatch(Verdict::isFinal);
        List<Status> parts = new ArrayList<>();
        if (ownVerdict != null) {
            parts.add(ownVerdict.status());
        }
        steps.forEach(s -> parts.add(s.status()));
        Status status;
        if (!isFinal) {
            status = Status.PENDING;
        } else if (steps.isEmpty()) {
            status = Status.INCONCLUSIVE;
        } else {
            status = Status.combine(parts);
        }
        Integrity integrity = ownVerdict != null ? ownVerdict.integrity()
                : steps.stream().map(Verdict::integrity).reduce(Integrity.NONE, Integrity::plus);
        return new Verdict(status, isFinal, planId, RunType.PLAN.json(), evaluatedAtMs,
                ownVerdict == null ? List.of() : ownVerdict.criteria(), integrity,
                ownVerdict == null ? Recovery.NONE : ownVerdict.recovery(),
                steps.stream().map(Verdict.Step::of).toList());
    }

    /** Final status of judged criteria: fail &gt; inconclusive &gt; pass; none at all is inconclusive. */
    static Status statusOf(List<Criterion> criteria) {
        if (criteria.isEmpty()) {
            return Status.INCONCLUSIVE;
        }
        Status s = Status.PASS;
        for (Criterion c : criteria) {
            Status p = c.pass() == null ? Status.INCONCLUSIVE : c.pass() ? Status.PASS : Status.FAIL;
            s = Status.worst(s, p);
        }
        return s;
    }

    private static Integrity integrity(Observation o) {
        if (o.expected == null) {
            return Integrity.NONE;
        }
        long missing = Math.max(0, o.expected - o.delivered);
        return new Integrity(o.expected, o.delivered, o.isFinal ? missing : 0, o.duplicated,
                o.isFinal ? 0 : missing, o.unexpected, o.republished);
    }

    private static Criterion judge(CriterionId id, Observation o, Integrity in, Thresholds t) {
        boolean verified = o.expected != null;
        boolean sent = verified && o.expected > 0;
        return switch (id) {
            case LOST -> sent ? Criterion.judged(id, in.lost(), t.maxLost()) : Criterion.noSamples(id, t.maxLost());
            case DUPLICATED -> sent ? Criterion.judged(id, in.duplicated(), t.maxDuplicated())
                    : Criterion.noSamples(id, t.maxDuplicated());
            case UNEXPECTED -> verified ? Criterion.judged(id, in.unexpected(), t.maxUnexpected())
                    : Criterion.noSamples(id, t.maxUnexpected());
            case ERROR_RATE -> o.requests != null && o.requests > 0
                    ? Criterion.judged(id, 100.0 * o.errors / o.requests, t.maxErrorPct())
                    : Criterion.noSamples(id, t.maxErrorPct());
            case PROCESSING -> processing(o);
            case RECOVERED -> o.targetHealthy == null ? Criterion.noSamples(id, 1)
                    : Criterion.judged(id, o.targetHealthy ? 1 : 0, 1);
            case CATCH_UP -> catchUp(o, t);
            case P95 -> o.p95Ms == null ? Criterion.noSamples(id, t.p95Ms()) : Criterion.judged(id, o.p95Ms, t.p95Ms());
            case KO_PCT -> o.koPct == null ? Criterion.noSamples(id, t.maxKoPct()) : Criterion.judged(id, o.koPct, t.maxKoPct());
        };
    }

    private static Criterion processing(Observation o) {
        if (o.decisionsDuring == null && o.decisionsAfter == null) {
            return Criterion.noSamples(CriterionId.PROCESSING, 1);
        }
        long n = (o.decisionsDuring == null ? 0 : o.decisionsDuring) + (o.decisionsAfter == null ? 0 : o.decisionsAfter);
        return Criterion.judged(CriterionId.PROCESSING, n, 1);
    }

    /**
     * Caught up: observed = catch-up seconds. Not caught up: a fail once the observation after the
     * fault covers the threshold (observed = the seconds watched, a lower bound), no sample before.
     */
    private static Criterion catchUp(Observation o, Thresholds t) {
        CriterionId id = CriterionId.CATCH_UP;
        if (o.catchUpS != null) {
            return Criterion.judged(id, o.catchUpS, t.maxCatchUpS());
        }
        if (o.observedAfterS != null && o.observedAfterS > t.maxCatchUpS()) {
            return Criterion.judged(id, o.observedAfterS, t.maxCatchUpS(), false);
        }
        return Criterion.noSamples(id, t.maxCatchUpS());
    }
}
