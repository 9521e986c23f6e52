package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.DuplicateMessages;
import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.chaos.experiment.LoadTest;
import io.stampede.chaos.experiment.MessageFaults;
import io.stampede.chaos.experiment.NatsLatency;
import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.experiment.TimeScale;
import io.stampede.loadgen.DeliveryVerifier;
import io.stampede.reports.CatchUp;
import io.stampede.reports.FaultCounters;
import io.stampede.reports.Observation;
import io.stampede.reports.RunType;
import io.stampede.reports.RunWriter;
import io.stampede.reports.Status;
import io.stampede.reports.Thresholds;
import io.stampede.reports.Verdict;
import io.stampede.reports.VerdictBuilder;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges every experiment (reports' {@link VerdictBuilder} does the judging; this class
 * observes). An experiment answers for the baseline originals sent while its fault was applied:
 * the sequence window [applied, reverted) of the delivery verifier ({@link DeliveryVerifier#mark()}
 * at each end: one sequence number in this process; with the baseline on load agents, each
 * agent's next original, so the window is per agent and no agent's originals are cut by another's
 * timing). Once a second it samples that
 * window (outcomes, missing ids), the send and decision rates and the SUT consumer's backlog.
 *
 * <p>Overdue is not lost: while an id may still get its outcome the verdict is pending and the id
 * overdue. The verdict becomes final as soon as the experiment ended and every id it answers for
 * has an outcome (and the decisions rate is back, for the catch-up time), or when no progress
 * (an outcome of its ids, or a shrinking consumer backlog) was seen for the settle time; the ids
 * still missing then are lost. While progress goes on it stays pending, up to the cap, after which
 * it is inconclusive, never lost.
 */
public final class Verdicts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Verdicts.class);

    /** Where the observations come from; any may be absent (null/empty) and its criteria then have no samples. */
    public record Sources(Supplier<DeliveryVerifier> verifier, Supplier<Long> backlog,
                          Function<String, Boolean> targetUp, Function<Experiment, JsonObject> injectorStats,
                          Supplier<java.nio.file.Path> baselineDir) {}

    /** How long to wait: settle = no progress for that long, cap = pending at most that long after the end. */
    public record Timing(Duration settle, Duration cap) {
        public static final Timing DEFAULTS = new Timing(Duration.ofSeconds(30), Duration.ofMinutes(30));
    }

    private final Sources sources;
    private final Timing timing;
    private final Map<String, Tracker> trackers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "verdicts");
        t.setDaemon(true);
        return t;
    });
    private final long tickMs;
    private volatile java.util.function.Consumer<Experiment> onFinal = e -> { };

    public Verdicts(Sources sources, Timing timing, TimeScale scale) {
        this.sources = sources;
        this.timing = new Timing(scale.of(timing.settle().toMillis() / 1000.0), scale.of(timing.cap().toMillis() / 1000.0));
        this.tickMs = Math.max(50, Math.min(1000, scale.of(1).toMillis()));
        ticker.scheduleWithFixedDelay(this::tickAll, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    /** One experiment's observations. Mutated by the ticker thread and the lifecycle; guarded by itself. */
    private final class Tracker {
        final Experiment e;
        /** The window's ends; null before it opened / while it is open. */
        DeliveryVerifier.Mark from;
        DeliveryVerifier.Mark to;
        long appliedMs;
        long endedMs;
        long lastProgressMs;
        long lastDelivered = -1;
        long lastBacklog = Long.MAX_VALUE;
        /** The verifier's decided ids (all of the run's) when the fault was applied, and when it ended; -1: not known. */
        long deliveredAtApply = -1;
        long deliveredAtEnd = -1;
        long lastSent = -1;
        long lastDecisions = -1;
        long overduePeak;
        /** Load-test integrity: its accepted requests with a decision at the last tick (-1: none seen). */
        long loadTestDelivered = -1;
        final List<CatchUp.Sample> samples = new ArrayList<>();
        volatile Verdict latest;
        Verdict finalVerdict;

        Tracker(Experiment e) {
            this.e = e;
        }
    }

    /** The fault is applied: its window opens. */
    public void applied(Experiment e) {
        Tracker t = trackers.computeIfAbsent(e.id(), id -> new Tracker(e));
        synchronized (t) {
            DeliveryVerifier v = sources.verifier().get();
            t.from = v == null ? null : v.mark();
            t.deliveredAtApply = v == null ? -1 : v.stats().delivered();
            t.appliedMs = System.currentTimeMillis();
            t.lastProgressMs = t.appliedMs;
        }
    }

    /** The experiment ended (its fault reverted, or it never started): its window closes. */
    public void ended(Experiment e) {
        Tracker t = trackers.computeIfAbsent(e.id(), id -> new Tracker(e));
        synchronized (t) {
            if (t.endedMs > 0) {
                return;
            }
            DeliveryVerifier v = sources.verifier().get();
            t.to = v == null || t.from == null ? null : v.mark();
            t.endedMs = System.currentTimeMillis();
            t.lastProgressMs = t.endedMs;
            t.deliveredAtEnd = v == null ? -1 : v.stats().delivered();
        }
        tick(t);
    }

    /** The live (or final) verdict as the API shows it; an experiment never observed (recovered after a crash) is inconclusive. */
    public JsonObject json(Experiment e) {
        Tracker t = trackers.get(e.id());
        if (t == null) {
            java.nio.file.Path file = e.runDir().resolve("verdict.json");
            if (java.nio.file.Files.isRegularFile(file)) {
                try {
                    return new JsonObject(java.nio.file.Files.readString(file));
                } catch (java.io.IOException | RuntimeException unreadable) {
                    // judged again below
                }
            }
            if (!e.state().isFinal()) {
                // scheduled, or applied a moment ago (its window opens right after): pending
                return new JsonObject(judge(e, null, false).toJson());
            }
            return new JsonObject(inconclusive(judge(e, null, true)).toJson());
        }
        Verdict v = t.latest;
        return new JsonObject((v == null ? judge(e, t, false) : v).toJson());
    }

    /**
     * The baseline sequence window the experiment answers for, {@code [from_seq, to_seq)}; null
     * before it applied. With the baseline on N agents, {@code agents} lists each agent's part
     * {@code {"index": k, "from_j", "to_j"}} (its originals j·N + k for from_j ≤ j &lt; to_j), and
     * from_seq / to_seq span them all.
     */
    public JsonObject window(Experiment e) {
        Tracker t = trackers.get(e.id());
        if (t == null || t.from == null) {
            return null;
        }
        synchronized (t) {
            int n = t.from.shares();
            if (n == 1) {
                return new JsonObject().put("from_seq", t.from.next(0)).put("to_seq", t.to == null ? null : t.to.next(0));
            }
            long lo = Long.MAX_VALUE;
            long hi = 0;
            io.vertx.core.json.JsonArray parts = new io.vertx.core.json.JsonArray();
            for (int k = 0; k < n; k++) {
                lo = Math.min(lo, t.from.next(k) * n + k);
                if (t.to != null) {
                    hi = Math.max(hi, t.to.next(k) * n + k);
                }
                parts.add(new JsonObject().put("index", k).put("from_j", t.from.next(k)).put("to_j", t.to == null ? null : t.to.next(k)));
            }
            return new JsonObject().put("from_seq", lo).put("to_seq", t.to == null ? null : hi).put("agents", parts);
        }
    }

    /** A plan's verdict over its steps' verdicts. */
    public Verdict plan(String planId, List<Experiment> steps) {
        List<Verdict> vs = steps.stream().map(s -> Verdict.parse(json(s).encode())).toList();
        return VerdictBuilder.plan(planId, vs, null, Thresholds.DEFAULTS, System.currentTimeMillis());
    }

    private void tickAll() {
        for (Tracker t : trackers.values()) {
            try {
                tick(t);
            } catch (RuntimeException failure) {
                log.warn("verdict of {}: {}", t.e.id(), failure.toString());
            }
        }
    }

    /** Called once an experiment's verdict turned final (its verdict.json is written), outside its lock. */
    void onFinal(java.util.function.Consumer<Experiment> listener) {
        this.onFinal = listener;
    }

    private void tick(Tracker t) {
        if (tickLocked(t)) {
            onFinal.accept(t.e);
        }
    }

    /** Returns whether the verdict turned final in this tick. */
    private boolean tickLocked(Tracker t) {
        synchronized (t) {
            if (t.finalVerdict != null) {
                return false;
            }
            long now = System.currentTimeMillis();
            DeliveryVerifier v = sources.verifier().get();
            // the window is counted once a tick: each count holds the verifier's lock its outcomes need
            DeliveryVerifier.RangeCounts mine = window(t, v);
            if (v != null) {
                long delivered = v.stats().delivered();
                long sent = v.sentUpTo();
                long overdue = mine == null ? 0 : mine.missing();
                if (t.lastSent >= 0 && t.endedMs > 0) {
                    double secs = Math.max(1e-3, tickMs / 1000.0);
                    t.samples.add(new CatchUp.Sample(now, overdue, (sent - t.lastSent) / secs, (delivered - t.lastDecisions) / secs));
                }
                t.lastSent = sent;
                t.lastDecisions = delivered;
                long mineDelivered = mine == null ? 0 : mine.delivered();
                if (mineDelivered > t.lastDelivered) {
                    t.lastDelivered = mineDelivered;
                    t.lastProgressMs = now;
                }
                t.overduePeak = Math.max(t.overduePeak, overdue);
            }
            Long backlog = sources.backlog().get();
            if (backlog != null) {
                if (backlog < t.lastBacklog) {
                    t.lastProgressMs = now;
                }
                t.lastBacklog = backlog;
            }
            LoadTestCounts lt = t.e.spec() instanceof LoadTest ? loadTestCounts(t, now) : null;
            boolean ended = t.endedMs > 0;
            boolean settledByOutcomes = ended && mine != null && mine.missing() == 0 && caughtUp(t);
            if (lt != null) {
                // a load test with integrity also waits for a decision of every request answered 202
                settledByOutcomes = ended && (t.from == null || settledByOutcomes) && lt.missing() == 0;
            }
            boolean settledByQuiet = ended && now - t.lastProgressMs >= timing.settle().toMillis();
            boolean capped = ended && now - t.endedMs >= timing.cap().toMillis();
            boolean noBaseline = ended && t.from == null && t.e.spec() instanceof LoadTest && lt == null;
            if (settledByOutcomes || settledByQuiet || noBaseline) {
                t.finalVerdict = judge(t.e, t, mine, true);
            } else if (capped) {
                t.finalVerdict = inconclusive(judge(t.e, t, mine, true));
            }
            if (t.finalVerdict != null) {
                t.latest = t.finalVerdict;
                writeFinal(t);
                return true;
            }
            t.latest = judge(t.e, t, mine, false);
            return false;
        }
    }

    /** What the experiment's window of baseline ids came to so far; null without a verifier or a window. */
    private static DeliveryVerifier.RangeCounts window(Tracker t, DeliveryVerifier v) {
        if (t == null || v == null || t.from == null) {
            return null;
        }
        return v.range(t.from, t.to);
    }

    private static boolean caughtUp(Tracker t) {
        return t.endedMs > 0 && CatchUp.of(t.endedMs, t.samples).catchUpS() != null;
    }

    private Verdict judge(Experiment e, Tracker t, boolean isFinal) {
        return judge(e, t, window(t, sources.verifier().get()), isFinal);
    }

    /** {@code r}: the experiment's window as counted by the caller (null: none). */
    private Verdict judge(Experiment e, Tracker t, DeliveryVerifier.RangeCounts r, boolean isFinal) {
        RunType type = RunType.fromJson(e.type()).orElseThrow();
        Observation.Builder o = Observation.builder(e.id(), type).isFinal(isFinal);
        DeliveryVerifier v = sources.verifier().get();
        if (r != null && v != null) {
            o.integrity(r.expected(), r.delivered(), r.duplicated(), r.unexpected(), r.republished());
            // by decision time, each id once (its first outcome): during = decided while the fault was
            // applied, after = decided since its end, whichever window the ids were sent in
            long deliveredNow = v.stats().delivered();
            if (t.deliveredAtApply >= 0) {
                long during = (t.deliveredAtEnd < 0 ? deliveredNow : t.deliveredAtEnd) - t.deliveredAtApply;
                Long after = t.deliveredAtEnd < 0 ? null : deliveredNow - t.deliveredAtEnd;
                o.decisions(during, after);
            }
        }
        if (t != null && t.endedMs > 0) {
            CatchUp.Result c = CatchUp.of(t.endedMs, t.samples);
            o.catchUp(c.catchUpS(), c.observedAfterS());
        }
        String target = e.spec() instanceof ServiceFailure sf ? sf.service() : null;
        Boolean up = target == null ? Boolean.TRUE : sources.targetUp().apply(target);
        if (up != null && (t == null || t.endedMs > 0)) {
            o.targetHealthy(up);
        }
        if (e.spec() instanceof LoadTest) {
            loadTest(e, o);
        }
        FaultCounters fault = faultCounters(e);
        if (fault != null) {
            o.fault(fault);
        }
        Thresholds th = thresholds(e);
        return VerdictBuilder.build(o.build(), th, System.currentTimeMillis());
    }

    /**
     * What a message fault in the proxy did ({@code message_faults}, {@code nats_latency} with a
     * {@code subject}, {@code duplicate_messages} from the bus): its subject, the direction applied
     * and the proxy's counters from the injector's stats (the final ones once it was reverted);
     * null for other faults, or while the proxy has not answered with its counters yet.
     */
    private FaultCounters faultCounters(Experiment e) {
        String subject;
        String direction;
        if (e.spec() instanceof MessageFaults m) {
            subject = m.subject();
            direction = m.direction().name().toLowerCase(java.util.Locale.ROOT);
        } else if (e.spec() instanceof NatsLatency n && n.subject() != null) {
            subject = n.subject();
            direction = n.direction().name().toLowerCase(java.util.Locale.ROOT);
        } else if (e.spec() instanceof DuplicateMessages d && d.source() == DuplicateMessages.Source.BUS) {
            subject = d.subject() == null ? ">" : d.subject();
            direction = "to_client";
        } else {
            return null;
        }
        JsonObject s;
        try {
            s = sources.injectorStats().apply(e);
        } catch (RuntimeException failure) {
            return null;
        }
        if (s == null || !(s.getValue("matched") instanceof Number)) {
            return null;
        }
        return new FaultCounters(subject, direction, s.getLong("matched"), s.getLong("delayed", 0L), s.getLong("dropped", 0L),
                s.getLong("duplicated", 0L), s.getLong("reordered", 0L));
    }

    /** The load test's HTTP figures from its injector's live stats (Gatling's recorder). */
    private void loadTest(Experiment e, Observation.Builder o) {
        JsonObject s;
        try {
            s = sources.injectorStats().apply(e);
        } catch (RuntimeException failure) {
            return;
        }
        if (s == null) {
            return;
        }
        JsonObject summary = s.getJsonObject("summary");
        JsonObject progress = s.getJsonObject("progress");
        Long requests = null;
        Long ko = null;
        Double p95 = null;
        if (summary != null) {
            requests = summary.containsKey("requests") ? summary.getLong("requests") : summary.getLong("count");
            ko = summary.getLong("ko");
            p95 = summary.getDouble("p95_ms");
        }
        if (requests == null && progress != null) {
            requests = progress.getLong("requests");
            ko = progress.getLong("ko");
        }
        if (requests != null && ko != null) {
            o.requests(requests, ko);
            o.loadTest(p95, requests == 0 ? null : 100.0 * ko / requests);
        }
        loadTestIntegrity(s, o);
    }

    // ---- load-test integrity ---------------------------------------------------------------
    // A load test answers for its own requests answered 202 (LoadTestInjector's LoadTestIntegrity,
    // in its stats as "integrity"), not for a baseline window: expected = 202s, a 202 without a
    // decision is overdue, then lost once settled; two decisions are duplicated.

    /** A load test's accepted requests: {@code missing} have no decision yet. */
    record LoadTestCounts(long expected, long delivered, long missing) {}

    /** The load test's integrity counts from its injector's stats, or null when it does not track them. */
    private LoadTestCounts loadTestCounts(Tracker t, long now) {
        JsonObject i;
        try {
            JsonObject s = sources.injectorStats().apply(t.e);
            i = s == null ? null : s.getJsonObject("integrity");
        } catch (RuntimeException failure) {
            return null;
        }
        if (i == null || i.getLong("expected") == null) {
            return null;
        }
        LoadTestCounts c = new LoadTestCounts(i.getLong("expected"), i.getLong("delivered", 0L), i.getLong("missing", 0L));
        if (c.delivered() > t.loadTestDelivered) { // a decision of its requests arrived: progress
            t.loadTestDelivered = c.delivered();
            t.lastProgressMs = now;
        }
        t.overduePeak = Math.max(t.overduePeak, c.missing());
        return c;
    }

    /**
     * The verdict's integrity of a load test = its accepted requests, and its processing = their
     * decisions (both replace the baseline window's: a load test answers for its own requests).
     */
    private static void loadTestIntegrity(JsonObject stats, Observation.Builder o) {
        JsonObject i = stats.getJsonObject("integrity");
        if (i == null || i.getLong("expected") == null) {
            return;
        }
        long delivered = i.getLong("delivered", 0L);
        o.integrity(i.getLong("expected"), delivered, i.getLong("duplicated", 0L),
                i.getLong("unexpected", 0L), i.getLong("republished", 0L));
        o.decisions(delivered, null);
    }

    static Thresholds thresholds(Experiment e) {
        return e.thresholds();
    }

    private static Verdict inconclusive(Verdict v) {
        if (v.status() == Status.FAIL) {
            return v;
        }
        return v.withStatus(Status.INCONCLUSIVE, true);
    }

    /** The baseline run's directory (its series and counters feed every run record), or null. */
    java.nio.file.Path baselineDir() {
        return sources.baselineDir().get();
    }

    private void writeFinal(Tracker t) {
        Experiment e = t.e;
        Experiment.View view = e.view();
        long from = t.appliedMs > 0 ? t.appliedMs : e.createdAt().toEpochMilli();
        RunSlice.complete(e.runDir(), RunSlice.info(e.id(), e.type(), e.planId(), e.createdAt().toEpochMilli(),
                view.appliedAt() == null ? null : view.appliedAt().toEpochMilli(),
                view.endedAt() == null ? null : view.endedAt().toEpochMilli(), e.toJson(null).getJsonObject("params").getMap()),
                baselineDir(), from, System.currentTimeMillis());
        try (RunWriter w = RunWriter.open(t.e.runDir())) {
            w.writeVerdict(t.finalVerdict);
        } catch (RuntimeException failure) {
            log.warn("verdict.json of {} not written: {}", t.e.id(), failure.toString());
        }
        try {
            io.stampede.reports.html.HtmlReport.write(t.e.runDir(), t.e.runDir().resolve(io.stampede.reports.html.HtmlReport.FILE_NAME));
        } catch (RuntimeException failure) {
            log.warn("report.html of {} not written: {}", t.e.id(), failure.toString());
        }
        log.info("experiment {} verdict: {} (overdue peak {})", t.e.id(), t.finalVerdict.status().json(), t.overduePeak);
    }

    /** Drops what is kept of an experiment that left the history (its verdict.json stays on disk). */
    public void forget(String id) {
        trackers.remove(id);
    }

    /** The largest number of overdue ids seen for a live experiment (0 when none or unknown). */
    public long overduePeak(String id) {
        Tracker t = trackers.get(id);
        return t == null ? 0 : t.overduePeak;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
