package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.TimeScale;
import io.stampede.chaos.inject.FaultStats;
import io.stampede.loadgen.DeliveryVerifier;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunReader;
import io.stampede.reports.Verdict;
import io.stampede.reports.VerdictBuilder;
import io.stampede.reports.run.RunRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Judges every experiment (reports' {@link VerdictBuilder} does the judging; {@link Observations}
 * gathers what it judges). An experiment answers for the baseline originals sent while its fault
 * was applied: the sequence window [applied, reverted) of the delivery verifier
 * ({@link DeliveryVerifier#mark()} at each end: one sequence number in this process; with the
 * baseline on load agents, each agent's next original, so the window is per agent and no agent's
 * originals are cut by another's timing). Once a second it samples that window (outcomes, missing
 * ids), the send and decision rates and the SUT consumer's backlog.
 *
 * <p>Overdue is not lost: while an id may still get its outcome the verdict is pending and the id
 * overdue. The verdict becomes final as soon as the experiment ended and every id it answers for
 * has an outcome (and the decisions rate is back, for the catch-up time), or when no progress
 * (an outcome of its ids, or a shrinking consumer backlog) was seen for the settle time; the ids
 * still missing then are lost. While progress goes on it stays pending, up to the cap, after which
 * it is inconclusive, never lost.
 *
 * <p>This class keeps one {@link VerdictTracker} per experiment and the ticker that drives them;
 * the run record of a final verdict is {@link ExperimentRecords}'. Readers never wait: a tracker
 * works out the verdict under its own lock, across the consumer-backlog read and, with load
 * agents, the agents' request round; what the API shows is the immutable
 * {@link VerdictTracker.Live} it publishes through a volatile field. Final verdicts of a previous
 * process are read once, at {@link #recorded}.
 */
public final class Verdicts implements ExperimentListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Verdicts.class);

    /** Where the observations come from; any may be absent (null/empty) and its criteria then have no samples. */
    public record Sources(Supplier<DeliveryVerifier> verifier, Supplier<Long> backlog,
                          Function<String, Boolean> targetUp, Supplier<Path> baselineDir) {}

    /** How long to wait: settle = no progress for that long, cap = pending at most that long after the end. */
    public record Timing(Duration settle, Duration cap) {
        public static final Timing DEFAULTS = new Timing(Duration.ofSeconds(30), Duration.ofMinutes(30));
    }

    private final Sources sources;
    private final Observations observations;
    private final ExperimentRecords records;
    private final ExperimentListener downstream;
    private final Timing timing;
    private final Map<String, VerdictTracker> trackers = new ConcurrentHashMap<>();
    /** Final verdicts of experiments this process did not observe (a previous process's), by id. */
    private final Map<String, Verdict> recorded = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "verdicts");
        t.setDaemon(true);
        return t;
    });
    private final long tickMs;

    /**
     * @param injectorStats each experiment's injector figures (its fault counters, a load test's requests)
     * @param downstream    told when a verdict turned final, after its run directory is finished
     */
    public Verdicts(Sources sources, Function<Experiment, FaultStats> injectorStats, Timing timing, TimeScale scale,
                    ExperimentListener downstream) {
        this.sources = sources;
        this.observations = new Observations(sources, injectorStats);
        this.records = new ExperimentRecords(sources.baselineDir());
        this.downstream = downstream;
        this.timing = new Timing(scale.of(timing.settle().toMillis() / 1000.0), scale.of(timing.cap().toMillis() / 1000.0));
        this.tickMs = Math.max(50, Math.min(1000, scale.of(1).toMillis()));
        ticker.scheduleWithFixedDelay(this::tickAll, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    private VerdictTracker tracker(Experiment e) {
        return trackers.computeIfAbsent(e.id(), id -> new VerdictTracker(e, sources.verifier(), observations, timing, tickMs));
    }

    /** The fault is applied: its window opens. */
    @Override
    public void applied(Experiment e) {
        VerdictTracker t = tracker(e);
        t.applied();
        ticker.execute(() -> tickQuietly(t, sources.backlog().get()));
    }

    /** About to be shown ended: its window closes now, so an outcome after a reader sees the end is not "during". */
    @Override
    public void reverted(Experiment e) {
        tracker(e).close();
    }

    /** The experiment ended (its fault reverted, or it never started): its window closes. */
    @Override
    public void ended(Experiment e) {
        VerdictTracker t = tracker(e);
        if (t.ended()) {
            tick(t, sources.backlog().get());
        }
    }

    /**
     * Reads the final verdicts a previous process wrote for experiments this one only knows from
     * the journal (at startup, before anything is served).
     */
    public void recorded(List<Experiment> history) {
        for (Experiment e : history) {
            if (trackers.containsKey(e.id()) || !e.state().isFinal() || !Files.isDirectory(e.runDir())) {
                continue;
            }
            try {
                RunReader.open(e.runDir()).verdict().ifPresent(v -> recorded.put(e.id(), v));
            } catch (RuntimeException unreadable) {
                log.warn("{} of {} unreadable, judged again: {}", RunFiles.VERDICT_JSON, e.id(), unreadable.toString());
            }
        }
    }

    /**
     * The live (or final) verdict as the API shows it, without waiting on anything; an experiment
     * never observed (recovered after a crash) is inconclusive unless its verdict.json said more.
     */
    public Verdict verdict(Experiment e) {
        VerdictTracker t = trackers.get(e.id());
        if (t != null) {
            return t.live().verdict();
        }
        Verdict r = recorded.get(e.id());
        if (r != null) {
            return r;
        }
        // scheduled (its window opens when it is applied), or a previous process's without a verdict.json
        return e.state().isFinal() ? Observations.inconclusive(observations.unobserved(e, true)) : observations.unobserved(e, false);
    }

    /**
     * The baseline sequence window the experiment answers for, {@code [from_seq, to_seq)}; null
     * before it applied. With the baseline on N agents, {@code agents} lists each agent's part
     * {@code {"index": k, "from_j", "to_j"}} (its originals j·N + k for from_j ≤ j &lt; to_j), and
     * from_seq / to_seq span them all.
     */
    public JsonObject window(Experiment e) {
        VerdictTracker t = trackers.get(e.id());
        VerdictTracker.Live l = t == null ? null : t.live();
        if (l == null || l.from() == null) {
            return null;
        }
        DeliveryVerifier.Mark from = l.from();
        DeliveryVerifier.Mark to = l.to();
        int n = from.shares();
        if (n == 1) {
            return new JsonObject().put("from_seq", from.next(0)).put("to_seq", to == null ? null : to.next(0));
        }
        long lo = Long.MAX_VALUE;
        long hi = 0;
        JsonArray parts = new JsonArray();
        for (int k = 0; k < n; k++) {
            lo = Math.min(lo, from.next(k) * n + k);
            if (to != null) {
                hi = Math.max(hi, to.next(k) * n + k);
            }
            parts.add(new JsonObject().put("index", k).put("from_j", from.next(k)).put("to_j", to == null ? null : to.next(k)));
        }
        return new JsonObject().put("from_seq", lo).put("to_seq", to == null ? null : hi).put("agents", parts);
    }

    private void tickAll() {
        if (trackers.values().stream().allMatch(t -> t.live().verdict().isFinal())) {
            return;
        }
        // read once a tick for every experiment, before any tracker is held
        Long backlog = sources.backlog().get();
        for (VerdictTracker t : trackers.values()) {
            tickQuietly(t, backlog);
        }
    }

    private void tickQuietly(VerdictTracker t, Long backlog) {
        try {
            tick(t, backlog);
        } catch (RuntimeException failure) {
            log.warn("verdict of {}: {}", t.experiment().id(), failure.toString());
        }
    }

    private void tick(VerdictTracker t, Long backlog) {
        Verdict turnedFinal = t.tick(backlog);
        if (turnedFinal != null) {
            Experiment e = t.experiment();
            // shown final once its run directory is finished: whoever sees it final finds the files
            records.finish(e, turnedFinal, t.startMs());
            log.info("experiment {} verdict: {} (overdue peak {})", e.id(), turnedFinal.status().json(), t.live().overduePeak());
            t.publish(turnedFinal);
            downstream.verdictFinal(e, turnedFinal);
        }
    }

    /** The baseline run's slice from {@code fromMs} to now (the SUT's samples are taken live into each directory). */
    RunRecord.Slice slice(long fromMs) {
        return records.slice(fromMs);
    }

    /** Drops what is kept of an experiment that left the history (its verdict.json stays on disk). */
    public void forget(String id) {
        trackers.remove(id);
        recorded.remove(id);
    }

    /** The largest number of overdue ids seen for a live experiment (0 when none or unknown). */
    public long overduePeak(String id) {
        VerdictTracker t = trackers.get(id);
        return t == null ? 0 : t.live().overduePeak();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
