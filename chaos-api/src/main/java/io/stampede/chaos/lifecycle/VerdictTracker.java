package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.LoadTest;
import io.stampede.chaos.inject.FaultStats;
import io.stampede.loadgen.DeliveryVerifier;
import io.stampede.reports.CatchUp;
import io.stampede.reports.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One experiment's observations and when its verdict turns final (the rules are in
 * {@link Verdicts}). Its monitor guards the observations, taken by the ticker and by the
 * lifecycle at apply and end; readers take {@link #live()}, which never waits on it.
 */
final class VerdictTracker {
    /**
     * What the API shows of an experiment's verdict, published whole so a reader never sees a
     * verdict with another tick's window or peak.
     *
     * @param verdict     the live (pending) or final verdict
     * @param from        the baseline window's opening mark, null before it opened
     * @param to          its closing mark, null while it is open
     * @param overduePeak the most ids overdue at once so far
     */
    record Live(Verdict verdict, DeliveryVerifier.Mark from, DeliveryVerifier.Mark to, long overduePeak) {}

    private final Experiment e;
    private final Supplier<DeliveryVerifier> verifier;
    private final Observations observations;
    private final Verdicts.Timing timing;
    private final long tickMs;
    /** The window's ends; null before it opened / while it is open. */
    private DeliveryVerifier.Mark from;
    private DeliveryVerifier.Mark to;
    private long appliedMs;
    private long endedMs;
    private long lastProgressMs;
    private long lastDelivered = -1;
    private long lastBacklog = Long.MAX_VALUE;
    /** The verifier's decided ids (all of the run's) when the fault was applied, and when it ended; -1: not known. */
    private long deliveredAtApply = -1;
    private long deliveredAtEnd = -1;
    /** Whether {@link #ended()} was called (the window may have closed earlier, in {@link #close()}). */
    private boolean endSeen;
    private long lastSent = -1;
    private long lastDecisions = -1;
    private long overduePeak;
    /** Load-test integrity: its accepted requests with a decision at the last tick (-1: none seen). */
    private long loadTestDelivered = -1;
    private final List<CatchUp.Sample> samples = new ArrayList<>();
    private Verdict finalVerdict;
    private volatile Live live;

    /** @param tickMs the ticker's period: the rates of the catch-up samples are per tick */
    VerdictTracker(Experiment e, Supplier<DeliveryVerifier> verifier, Observations observations, Verdicts.Timing timing,
                   long tickMs) {
        this.e = e;
        this.verifier = verifier;
        this.observations = observations;
        this.timing = timing;
        this.tickMs = tickMs;
        this.live = new Live(observations.unobserved(e, false), null, null, 0);
    }

    Experiment experiment() {
        return e;
    }

    Live live() {
        return live;
    }

    /** The fault is applied: the window opens. */
    synchronized void applied() {
        DeliveryVerifier v = verifier.get();
        from = v == null ? null : v.mark();
        deliveredAtApply = v == null ? -1 : v.stats().delivered();
        appliedMs = System.currentTimeMillis();
        lastProgressMs = appliedMs;
        publish(live.verdict());
    }

    /** The experiment ended: the window closes. False when it had ended already (nothing to judge anew). */
    synchronized boolean ended() {
        close();
        if (endSeen) {
            return false;
        }
        endSeen = true;
        return true;
    }

    /** Closes the window (idempotent): the verifier's marks and counts at the end. */
    synchronized void close() {
        if (endedMs > 0) {
            return;
        }
        DeliveryVerifier v = verifier.get();
        to = v == null || from == null ? null : v.mark();
        endedMs = System.currentTimeMillis();
        lastProgressMs = endedMs;
        deliveredAtEnd = v == null ? -1 : v.stats().delivered();
    }

    /** Where the experiment's run record starts: when its fault was applied, else when it was created. */
    synchronized long startMs() {
        return appliedMs > 0 ? appliedMs : e.createdAt().toEpochMilli();
    }

    synchronized void publish(Verdict v) {
        live = new Live(v, from, to, overduePeak);
    }

    /**
     * Observes once, with the consumer backlog the caller read before taking this tracker (null:
     * unknown). Returns the verdict if it turned final now, not published yet: it is shown final
     * only once its run directory is finished; else null, the pending verdict published.
     */
    synchronized Verdict tick(Long backlog) {
        if (finalVerdict != null) {
            return null;
        }
        long now = System.currentTimeMillis();
        DeliveryVerifier v = verifier.get();
        FaultStats stats = observations.figures(e);
        // the window is counted once a tick: each count holds the verifier's lock its outcomes need
        DeliveryVerifier.RangeCounts mine = v == null || from == null ? null : v.range(from, to);
        if (v != null) {
            long delivered = v.stats().delivered();
            long sent = v.sentUpTo();
            long overdue = mine == null ? 0 : mine.missing();
            if (lastSent >= 0 && endedMs > 0) {
                double secs = Math.max(1e-3, tickMs / 1000.0);
                samples.add(new CatchUp.Sample(now, overdue, (sent - lastSent) / secs, (delivered - lastDecisions) / secs));
            }
            lastSent = sent;
            lastDecisions = delivered;
            long mineDelivered = mine == null ? 0 : mine.delivered();
            if (mineDelivered > lastDelivered) {
                lastDelivered = mineDelivered;
                lastProgressMs = now;
            }
            overduePeak = Math.max(overduePeak, overdue);
        }
        if (backlog != null) {
            if (backlog < lastBacklog) {
                lastProgressMs = now;
            }
            lastBacklog = backlog;
        }
        FaultStats.AcceptedCounts lt = e.spec() instanceof LoadTest ? loadTestCounts(stats, now) : null;
        boolean ended = endedMs > 0;
        boolean settledByOutcomes = ended && mine != null && mine.missing() == 0 && caughtUp();
        if (lt != null) {
            // a load test with integrity also waits for a decision of every request answered 202
            settledByOutcomes = ended && (from == null || settledByOutcomes) && lt.missing() == 0;
        }
        boolean settledByQuiet = ended && now - lastProgressMs >= timing.settle().toMillis();
        boolean capped = ended && now - endedMs >= timing.cap().toMillis();
        boolean noBaseline = ended && from == null && e.spec() instanceof LoadTest && lt == null;
        if (settledByOutcomes || settledByQuiet || noBaseline) {
            finalVerdict = judge(mine, stats, true);
        } else if (capped) {
            finalVerdict = Observations.inconclusive(judge(mine, stats, true));
        }
        if (finalVerdict == null) {
            publish(judge(mine, stats, false));
        }
        return finalVerdict;
    }

    private Verdict judge(DeliveryVerifier.RangeCounts mine, FaultStats stats, boolean isFinal) {
        return observations.judge(e, new Observations.Seen(mine, deliveredAtApply, deliveredAtEnd, endedMs, samples),
                stats, isFinal);
    }

    private boolean caughtUp() {
        return endedMs > 0 && CatchUp.of(endedMs, samples).catchUpS() != null;
    }

    // A load test answers for its own requests answered 202 (LoadTestInjector's LoadTestIntegrity,
    // in its figures as accepted counts), not for a baseline window: expected = 202s, a 202 without
    // a decision is overdue, then lost once settled; two decisions are duplicated.

    /** Null when the load test does not track its requests' decisions; their growth is progress. */
    private FaultStats.AcceptedCounts loadTestCounts(FaultStats stats, long now) {
        FaultStats.AcceptedCounts c = stats == null ? null : stats.accepted();
        if (c == null) {
            return null;
        }
        if (c.delivered() > loadTestDelivered) {
            loadTestDelivered = c.delivered();
            lastProgressMs = now;
        }
        overduePeak = Math.max(overduePeak, c.missing());
        return c;
    }
}
