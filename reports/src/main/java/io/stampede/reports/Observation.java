package io.stampede.reports;

import java.util.Objects;

/**
 * The observed numbers {@link VerdictBuilder} judges: what the chaos API (or anything else) measured
 * for one experiment, plan or baseline run. Every group is optional; a group not given means "no
 * samples" for the criteria that need it. Build with {@link #builder(String, RunType)}.
 */
public final class Observation {
    final String id;
    final RunType type;
    final boolean isFinal;
    /** Verifier counts, or null when no verifier followed this run. */
    final Long expected;
    final long delivered;
    final long duplicated;
    final long unexpected;
    final long republished;
    final Long requests;
    final long errors;
    final Long decisionsDuring;
    final Long decisionsAfter;
    final Boolean targetHealthy;
    final Double catchUpS;
    final Double observedAfterS;
    final Double p95Ms;
    final Double koPct;
    final FaultCounters fault;

    private Observation(Builder b) {
        this.id = b.id;
        this.type = b.type;
        this.isFinal = b.isFinal;
        this.expected = b.expected;
        this.delivered = b.delivered;
        this.duplicated = b.duplicated;
        this.unexpected = b.unexpected;
        this.republished = b.republished;
        this.requests = b.requests;
        this.errors = b.errors;
        this.decisionsDuring = b.decisionsDuring;
        this.decisionsAfter = b.decisionsAfter;
        this.targetHealthy = b.targetHealthy;
        this.catchUpS = b.catchUpS;
        this.observedAfterS = b.observedAfterS;
        this.p95Ms = b.p95Ms;
        this.koPct = b.koPct;
        this.fault = b.fault;
    }

    public static Builder builder(String id, RunType type) {
        return new Builder(id, type);
    }

    public String id() {
        return id;
    }

    public RunType type() {
        return type;
    }

    public boolean isFinal() {
        return isFinal;
    }

    public static final class Builder {
        private final String id;
        private final RunType type;
        private boolean isFinal;
        private Long expected;
        private long delivered;
        private long duplicated;
        private long unexpected;
        private long republished;
        private Long requests;
        private long errors;
        private Long decisionsDuring;
        private Long decisionsAfter;
        private Boolean targetHealthy;
        private Double catchUpS;
        private Double observedAfterS;
        private Double p95Ms;
        private Double koPct;
        private FaultCounters fault;

        private Builder(String id, RunType type) {
            this.id = Objects.requireNonNull(id, "id");
            this.type = Objects.requireNonNull(type, "type");
        }

        /**
         * Final (settled: every outcome that can still come has had its time) or live. Live
         * verdicts are pending, call nothing lost and report missing ids as overdue.
         */
        public Builder isFinal(boolean f) {
            this.isFinal = f;
            return this;
        }

        /**
         * The delivery verifier's counts: {@code expected} ids sent that this run answers for,
         * {@code delivered} of them with an outcome, {@code duplicated} ids with more than one
         * outcome, {@code unexpected} outcomes for ids never sent, {@code republished} messages
         * re-published on purpose. Missing ids ({@code expected - delivered}) are lost when final,
         * overdue when live.
         */
        public Builder integrity(long expected, long delivered, long duplicated, long unexpected, long republished) {
            if (expected < 0 || delivered < 0 || duplicated < 0 || unexpected < 0 || republished < 0) {
                throw new IllegalArgumentException("integrity counts must be >= 0");
            }
            this.expected = expected;
            this.delivered = delivered;
            this.duplicated = duplicated;
            this.unexpected = unexpected;
            this.republished = republished;
            return this;
        }

        /**
         * Requests sent and errors among them, for {@code error_rate} (for a load test: HTTP KO plus
         * the increase of the SUT's error counters over the window). 0 requests = no samples.
         */
        public Builder requests(long requests, long errors) {
            if (requests < 0 || errors < 0) {
                throw new IllegalArgumentException("requests and errors must be >= 0");
            }
            this.requests = requests;
            this.errors = errors;
            return this;
        }

        /**
         * Ids decided (first outcome, each id once) while the fault was applied and after its end,
         * by decision time ({@code processing}); either may be null.
         */
        public Builder decisions(Long during, Long after) {
            this.decisionsDuring = during;
            this.decisionsAfter = after;
            return this;
        }

        /** The fault's target answered healthy after the fault ({@code recovered}). */
        public Builder targetHealthy(boolean healthy) {
            this.targetHealthy = healthy;
            return this;
        }

        /**
         * {@code catch_up}: seconds from the fault's end until caught up, or {@code null} if it did
         * not catch up within {@code observedAfterS} seconds of observation after the fault's end
         * (a fail once that covers {@code max_catch_up_s}, no sample before). See {@link CatchUp}.
         */
        public Builder catchUp(Double catchUpS, double observedAfterS) {
            this.catchUpS = catchUpS;
            this.observedAfterS = observedAfterS;
            return this;
        }

        /** A load test's HTTP figures: p95 in ms (null = no responses) and the KO percentage (null = no requests). */
        public Builder loadTest(Double p95Ms, Double koPct) {
            this.p95Ms = p95Ms;
            this.koPct = koPct;
            return this;
        }

        /**
         * The run's message fault and what it did (the proxy's counters; final ones once it was
         * reverted). A final verdict of a fault that matched nothing is inconclusive
         * ({@link Verdict.Reason#FAULT_MATCHED_NOTHING}) unless a criterion failed.
         */
        public Builder fault(FaultCounters f) {
            this.fault = f;
            return this;
        }

        public Observation build() {
            return new Observation(this);
        }
    }
}
