package io.stampede.chaos.lifecycle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.stampede.chaos.experiment.ExperimentSpec;
import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.chaos.experiment.Limits;
import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.experiment.SpecCodec;
import io.stampede.chaos.experiment.SpecType;
import io.stampede.chaos.experiment.TimeScale;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.chaos.inject.FaultStats;
import io.stampede.chaos.inject.Injectors;
import io.stampede.reports.Verdict;
import io.stampede.reports.run.RunRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The experiment lifecycle behind the API: {@link ExperimentRegistry} (who exists),
 * {@link Admission} (who may join), {@link ExperimentRunner} (transitions and injector calls),
 * {@link Recovery} (what a crashed predecessor left) and {@link ExperimentLog} (journal and
 * timelines). Queries never wait on an injector: they read each experiment's immutable view.
 * {@link #create} and {@link #end} block (journal fsync, injectors) and run off the event loop.
 */
public final class ExperimentManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExperimentManager.class);
    /** How long a GET waits for an injector's live figures before answering without them. */
    static final Duration STATS_TIMEOUT = Duration.ofMillis(150);

    /** History and disk bounds (ChaosConfig.Bounds). */
    public record Retention(int maxHistory, int runsRetained) {}

    private final Injectors injectors;
    private final Limits limits;
    private final Path runsDir;
    private final Retention retention;
    private final ExperimentLog events;
    private final ExperimentRegistry registry;
    private final Admission admission;
    private final ExperimentRunner runner;
    /** Guards admission only: two creates must not both pass the same check. */
    private final Object admitting = new Object();
    private final ConcurrentHashMap<String, CompletableFuture<FaultStats>> statsInFlight = new ConcurrentHashMap<>();
    private final Verdicts verdicts;
    private final PlanRecords plans;
    private final ExperimentListener listener;
    private volatile Recovery.Report recovery = new Recovery.Report(List.of(), 0, false);

    /** How experiments are judged: where the observations come from, and how long to wait for them. */
    public record Judging(Verdicts.Sources sources, Verdicts.Timing timing) {}

    /**
     * @param judging  every experiment is judged (see {@link Verdicts}) with these
     * @param listener told of each experiment applied and ended (after the verdict's window opened,
     *                 before it closes), e.g. the baseline traffic tagging its messages
     */
    public ExperimentManager(Journal journal, Injectors injectors, Limits limits, TimeScale scale, Path runsDir,
                             Retention retention, MeterRegistry meters, Judging judging, ExperimentListener listener) {
        this.injectors = injectors;
        this.listener = listener;
        this.limits = limits;
        this.runsDir = runsDir;
        this.retention = retention;
        this.events = new ExperimentLog(journal, runsDir);
        this.registry = new ExperimentRegistry(retention.maxHistory());
        this.admission = new Admission(limits);
        this.runner = new ExperimentRunner(injectors, events, scale, meters, new Transitions());
        this.plans = new PlanRecords(runsDir, this::plan, this::verdict, this::baselineSlice);
        this.verdicts = new Verdicts(judging.sources(), this::stats, judging.timing(), scale, plans);
        for (SpecType t : SpecType.values()) {
            String type = t.json();
            for (ExperimentState s : ExperimentState.values()) {
                Gauge.builder("stampede.experiments", this.registry, r -> r.count(type, s))
                        .description("Experiments by type and state").tag("type", type).tag("state", s.json())
                        .register(meters);
            }
        }
        Gauge.builder("stampede.active.faults", this, ExperimentManager::activeFaults)
                .description("Faults applied and not yet reverted (including reverts being retried)").register(meters);
        Gauge.builder("stampede.journal.write.failures", events, ExperimentLog::failures)
                .description("Journal writes the disk refused").register(meters);
    }

    /**
     * Reads the journal: finished experiments become history; any left scheduled or running by a
     * crashed predecessor is reverted (its fault undone, with the journaled token) and aborted.
     */
    public List<Experiment> recover() {
        recovery = Recovery.run(events, registry, runner);
        verdicts.recorded(registry.all());
        RunRetention.prune(runsDir, retention.runsRetained(), keepIds());
        return recovery.recovered();
    }

    /** The experiment's verdict (live or final), without waiting. */
    public Verdict verdict(Experiment e) {
        return verdicts.verdict(e);
    }

    private RunRecord.Slice baselineSlice(long fromMs) {
        return verdicts.slice(fromMs);
    }

    /** The baseline window the experiment's verdict counts, or null. */
    public JsonObject verdictWindow(Experiment e) {
        return verdicts.window(e);
    }

    /** A plan's steps, in their order. */
    public List<Experiment> plan(String planId) {
        return registry.list().stream().filter(e -> planId.equals(e.planId()))
                .sorted(java.util.Comparator.comparingLong(e -> ExperimentRegistry.digitsOf(e.id()))).toList();
    }

    /** A plan's verdict over its steps; once final, the plan's run directory is finished (reads and writes files). */
    public Verdict planVerdict(String planId, List<Experiment> steps) {
        return plans.verdict(planId, steps);
    }

    // ---------------------------------------------------------------- create

    /**
     * Creates experiments (one, or a plan's steps) atomically: every conflict and limit is checked
     * before any is journaled.
     */
    public List<Experiment> create(List<SpecCodec.Parsed> items, boolean asPlan) {
        if (runner.shuttingDown()) {
            throw new ApiException(503, "shutting_down", "the chaos API is shutting down");
        }
        for (SpecCodec.Parsed p : items) {
            if (!injectors.supports(p.spec())) {
                throw new ApiException(501, "not_implemented",
                        "no injector for type " + p.spec().type() + " in this build; nothing was started",
                        List.of(new Problem("type", "not implemented: " + p.spec().type())));
            }
            String unavailable = injectors.forSpec(p.spec()).unavailable(p.spec());
            if (unavailable != null) {
                throw new ApiException(409, "unavailable", p.spec().type() + " cannot run now: " + unavailable
                        + "; nothing was started", List.of(new Problem("type", unavailable)));
            }
        }
        List<Experiment> created = new ArrayList<>();
        synchronized (admitting) {
            Instant now = Instant.now();
            List<Admission.Window> planned = new ArrayList<>();
            for (SpecCodec.Parsed p : items) {
                Instant starts = now.plus(runner.scale().of(p.startAfterS()));
                planned.add(new Admission.Window(p.spec(), starts, starts.plus(runner.scale().of(p.spec().durationS())), null));
            }
            List<Admission.Window> live = registry.live().stream()
                    .map(e -> new Admission.Window(e.spec(), e.startsAt(),
                            e.state().isFinal() ? Instant.MAX : e.endsAt(), e.id()))
                    .toList();
            admission.check(live, planned);
            String planId = asPlan ? "plan_" + registry.nextDigits() : null;
            for (int i = 0; i < items.size(); i++) {
                SpecCodec.Parsed p = items.get(i);
                String id = "chaos_" + p.spec().type() + "_" + registry.nextDigits();
                Admission.Window w = planned.get(i);
                created.add(new Experiment(id, p.spec(), p.criteria(), planId, p.abortIf(), now, w.start(), w.end(),
                        runsDir.resolve(id)));
            }
            // journaled before it exists for anyone: a 201 means the record is on disk
            try {
                for (Experiment e : created) {
                    events.recordOrThrow(e, "scheduled", new JsonObject().put("starts_at", e.startsAt().toString())
                            .put("ends_at", e.endsAt().toString()));
                }
            } catch (RuntimeException journalDown) {
                throw new ApiException(503, "journal_unavailable", "the journal could not be written ("
                        + journalDown.getMessage() + "); nothing was started");
            }
            created.forEach(registry::put);
        }
        for (Experiment e : created) {
            ExperimentRunner.withMdc(e, () -> log.info("experiment {} scheduled: {} from {} to {}", e.id(), e.type(),
                    e.startsAt(), e.endsAt()));
            runner.schedule(e);
        }
        return created;
    }

    // ---------------------------------------------------------------- ends

    /** Ends an experiment: cancels it if scheduled, reverts its fault if running. Idempotent; blocks. */
    public Experiment end(Experiment e, ExperimentState finalState, String reason) {
        return runner.end(e, finalState, reason);
    }

    /** {@link #end} on the lifecycle's own workers (the caller's thread does not wait). */
    public CompletableFuture<Experiment> endAsync(Experiment e, ExperimentState finalState, String reason) {
        return runner.endAsync(e, finalState, reason);
    }

    /** Stops every active experiment in parallel; completes once all are reverted or the timeout passed. */
    public CompletableFuture<List<Experiment>> stopAllAsync(ExperimentState finalState, String reason, Duration timeout) {
        List<Experiment> active = active();
        List<CompletableFuture<Experiment>> ends = active.stream().map(e -> runner.endAsync(e, finalState, reason)).toList();
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((v, failure) -> {
                    if (failure != null) {
                        log.error("stopping all experiments did not finish in {}: {}", timeout, failure.toString());
                    }
                    return active;
                });
    }

    public List<Experiment> stopAll(ExperimentState finalState, String reason, Duration timeout) {
        return stopAllAsync(finalState, reason, timeout).join();
    }

    /**
     * The runner's transitions, to the verdicts and the listener: a window opens before the
     * listener hears of the fault and closes after; an ended experiment may push the oldest out of
     * the history.
     */
    private final class Transitions implements ExperimentListener {
        @Override
        public void applied(Experiment e) {
            verdicts.applied(e);
            listener.applied(e);
        }

        @Override
        public void reverted(Experiment e) {
            verdicts.reverted(e);
            listener.reverted(e);
        }

        @Override
        public void ended(Experiment e) {
            listener.ended(e);
            verdicts.ended(e);
            for (Experiment dropped : registry.trim()) {
                verdicts.forget(dropped.id());
            }
            RunRetention.prune(runsDir, retention.runsRetained(), keepIds());
        }
    }

    private Set<String> keepIds() {
        Set<String> keep = new HashSet<>();
        for (Experiment e : registry.live()) {
            keep.add(e.id());
            if (e.planId() != null) {
                keep.add(e.planId());
            }
        }
        return keep;
    }

    // ---------------------------------------------------------------- queries (never wait on an injector)

    public Optional<Experiment> get(String id) {
        return registry.get(id);
    }

    /** Newest first. */
    public List<Experiment> list() {
        return registry.list();
    }

    public List<Experiment> active() {
        return registry.active();
    }

    /** The injector's live figures, or none when it has none (fault not applied yet). */
    public FaultStats stats(Experiment e) {
        FaultInjector<ExperimentSpec> injector = injectors.forSpec(e.spec());
        if (injector == null || e.fault() == Experiment.Fault.NONE) {
            return FaultStats.empty();
        }
        try {
            return injector.stats(runner.context(e));
        } catch (RuntimeException failure) {
            return FaultStats.error(String.valueOf(failure.getMessage()));
        }
    }

    /**
     * {@link #stats} off the caller's thread, answered within {@link #STATS_TIMEOUT} whatever the
     * injector does. One call per experiment is in flight at a time: a hanging injector holds one
     * thread, however often it is asked.
     */
    public CompletableFuture<FaultStats> statsAsync(Experiment e) {
        CompletableFuture<FaultStats> call = statsInFlight.computeIfAbsent(e.id(),
                id -> CompletableFuture.supplyAsync(() -> stats(e), runner.workers()));
        call.whenComplete((v, t) -> statsInFlight.remove(e.id(), call));
        return call.copy().completeOnTimeout(FaultStats.error("stats not available within "
                + STATS_TIMEOUT.toMillis() + " ms"), STATS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Faults whose revert failed and is being retried; for /healthz. */
    public JsonArray pendingReverts() {
        JsonArray out = new JsonArray();
        for (Experiment e : registry.all()) {
            Experiment.View v = e.view();
            if (v.fault() == Experiment.Fault.REVERTING && v.revertError() != null) {
                out.add(new JsonObject().put("experiment_id", e.id()).put("error", v.revertError())
                        .put("attempts", v.revertAttempts()));
            }
        }
        return out;
    }

    /** The journal's state for /healthz. */
    public JsonObject journalHealth() {
        JsonObject o = new JsonObject().put("file", events.journal().file().toString())
                .put("write_failures", events.failures());
        if (events.lastError() != null) {
            o.put("last_error", events.lastError());
        }
        Recovery.Report r = recovery;
        if (r.skippedLines() > 0) {
            o.put("skipped_lines_at_start", r.skippedLines()).put("torn_tail_at_start", r.tornTail());
        }
        return o;
    }

    private double activeFaults() {
        return registry.all().stream().filter(e -> e.fault().mayBeApplied()).count();
    }

    public TimeScale scale() {
        return runner.scale();
    }

    /** Adds an event (guardrail, target health) to the timelines of a running experiment. */
    public void timelineEvent(Experiment e, String event, JsonObject data) {
        events.timeline(e, event, data);
    }

    /** SIGTERM path: no new experiments, revert everything, close the journal. */
    public void shutdown(Duration timeout) {
        runner.shutdown();
        List<Experiment> stopped = stopAll(ExperimentState.STOPPED, "chaos API shutdown", timeout);
        if (!stopped.isEmpty()) {
            log.info("shutdown reverted {} experiment(s)", stopped.size());
        }
        runner.flushPendingReverts();
        runner.close();
        verdicts.close();
        injectors.close();
        events.journal().close();
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(20));
    }

    /** For tests that break the disk under a running API. */
    Journal journal() {
        return events.journal();
    }
}
