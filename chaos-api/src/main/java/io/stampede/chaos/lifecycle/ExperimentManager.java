package io.stampede.chaos.lifecycle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.stampede.chaos.experiment.Backpressure;
import io.stampede.chaos.experiment.Experiment;
import io.stampede.chaos.experiment.ExperimentSpec;
import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.chaos.experiment.Limits;
import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.experiment.SpecParser;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.chaos.inject.Injectors;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Owns every experiment's lifecycle: schedule → apply → expire/stop/abort → revert, each
 * transition journaled (fsync) before it is acknowledged. All methods that change state block
 * (journal, injectors) and must run off the event loop.
 */
public final class ExperimentManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExperimentManager.class);
    private static final int REVERT_ATTEMPTS = 3;

    private final Journal journal;
    private final Injectors injectors;
    private final Limits limits;
    private final double timeScale;
    private final Path runsDir;
    private final Map<String, Experiment> experiments = new LinkedHashMap<>();
    private final Map<String, ScheduledFuture<?>> timers = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final Timer applyTimer;
    private final Timer revertTimer;
    private long lastIdDigits;
    private volatile boolean shuttingDown;

    public ExperimentManager(Journal journal, Injectors injectors, Limits limits, double timeScale, Path runsDir,
                             MeterRegistry registry) {
        this.journal = journal;
        this.injectors = injectors;
        this.limits = limits;
        this.timeScale = timeScale;
        this.runsDir = runsDir;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "experiment-scheduler"));
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "experiment-worker-" + n.incrementAndGet()));
        this.applyTimer = Timer.builder("stampede.fault.apply.duration").description("Time to apply a fault")
                .publishPercentileHistogram().register(registry);
        this.revertTimer = Timer.builder("stampede.fault.revert.duration").description("Time to revert a fault")
                .publishPercentileHistogram().register(registry);
        for (String type : SpecParser.TYPES) {
            for (ExperimentState s : ExperimentState.values()) {
                Gauge.builder("stampede.experiments", this, m -> m.count(type, s))
                        .description("Experiments by type and state").tag("type", type).tag("state", s.json())
                        .register(registry);
            }
        }
        Gauge.builder("stampede.active.faults", this, m -> m.activeFaults())
                .description("Faults applied and not yet reverted").register(registry);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ---------------------------------------------------------------- start-up recovery

    /**
     * Reads the journal: finished experiments become history; any left scheduled or running by a
     * crashed predecessor is reverted (its fault undone, with the journaled token) and aborted.
     */
    public synchronized List<Experiment> recover() {
        Map<String, JsonObject> last = new LinkedHashMap<>();
        for (JsonObject record : Journal.read(journal.file())) {
            JsonObject snap = record.getJsonObject("experiment");
            if (snap != null) {
                last.put(snap.getString("experiment_id"), snap);
            }
        }
        List<Experiment> recovered = new ArrayList<>();
        for (JsonObject snap : last.values()) {
            Experiment e;
            try {
                e = Experiment.fromSnapshot(snap);
            } catch (RuntimeException bad) {
                log.error("journal record for {} unreadable, skipped: {}", snap.getString("experiment_id"), bad.toString());
                continue;
            }
            experiments.put(e.id(), e);
            lastIdDigits = Math.max(lastIdDigits, digitsOf(e.id()));
            if (e.planId() != null) {
                lastIdDigits = Math.max(lastIdDigits, digitsOf(e.planId()));
            }
            if (!e.state().isFinal() || faultMayBeApplied(e)) {
                recovered.add(e);
            }
        }
        for (Experiment e : recovered) {
            withMdc(e, () -> {
                boolean applied = faultMayBeApplied(e);
                if (applied) {
                    log.warn("experiment {} was {} when the chaos API stopped; reverting its fault", e.id(), e.fault());
                    e.reverting();
                    revertWithRetries(e);
                }
                if (!e.state().isFinal()) {
                    e.end(ExperimentState.ABORTED, Instant.now(), applied
                            ? "chaos API restarted after a crash; fault reverted"
                            : "chaos API restarted after a crash before the experiment started");
                }
                record(e, "ended", new JsonObject().put("recovered", true));
            });
        }
        return recovered;
    }

    /** Applying, applied or half-reverted: only a revert makes it safe. */
    private static boolean faultMayBeApplied(Experiment e) {
        return e.fault() == Experiment.Fault.APPLYING || e.fault() == Experiment.Fault.APPLIED
                || e.fault() == Experiment.Fault.REVERTING;
    }

    private static long digitsOf(String id) {
        int i = id.lastIndexOf('_');
        try {
            return Long.parseLong(id.substring(i + 1));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- create

    /**
     * Creates experiments (one, or a plan's steps) atomically: every conflict is checked before
     * any is journaled.
     */
    public List<Experiment> create(List<SpecParser.Parsed> items, boolean asPlan) {
        if (shuttingDown) {
            throw new ApiException(503, "shutting_down", "the chaos API is shutting down");
        }
        for (SpecParser.Parsed p : items) {
            if (!injectors.supports(p.spec())) {
                throw new ApiException(501, "not_implemented",
                        "no injector for type " + p.spec().type() + " in this build; nothing was started",
                        List.of(new Problem("type", "not implemented: " + p.spec().type())));
            }
            String unavailable = injectors.forSpec(p.spec()).unavailable();
            if (unavailable != null) {
                throw new ApiException(409, "unavailable", p.spec().type() + " cannot run now: " + unavailable
                        + "; nothing was started", List.of(new Problem("type", unavailable)));
            }
        }
        List<Experiment> created = new ArrayList<>();
        synchronized (this) {
            Instant now = Instant.now();
            List<Window> planned = new ArrayList<>();
            for (SpecParser.Parsed p : items) {
                Instant starts = now.plus(scaled(p.startAfterS()));
                planned.add(new Window(p.spec(), starts, starts.plus(scaled(p.spec().durationS()))));
            }
            checkConflicts(planned);
            String planId = asPlan ? "plan_" + nextDigits() : null;
            for (int i = 0; i < items.size(); i++) {
                SpecParser.Parsed p = items.get(i);
                String id = "chaos_" + p.spec().type() + "_" + nextDigits();
                Window w = planned.get(i);
                Experiment e = new Experiment(id, p.spec(), p.params(), planId, p.abortIf(), now, w.start, w.end,
                        runsDir.resolve(id));
                experiments.put(id, e);
                created.add(e);
            }
        }
        for (Experiment e : created) {
            withMdc(e, () -> {
                record(e, "scheduled", new JsonObject().put("starts_at", e.startsAt().toString()).put("ends_at", e.endsAt().toString()));
                log.info("experiment {} scheduled: {} from {} to {}", e.id(), e.type(), e.startsAt(), e.endsAt());
            });
            long delayMs = Math.max(0, Duration.between(Instant.now(), e.startsAt()).toMillis());
            timers.put(e.id(), scheduler.schedule(() -> workers.execute(() -> start(e)), delayMs, TimeUnit.MILLISECONDS));
        }
        return created;
    }

    private record Window(ExperimentSpec spec, Instant start, Instant end) {
        boolean overlaps(Instant s, Instant e) {
            return start.isBefore(e) && s.isBefore(end);
        }
    }

    /** One service_failure per service at a time; backpressure's combined rate under the cap. */
    private void checkConflicts(List<Window> planned) {
        List<Window> windows = new ArrayList<>();
        Map<Window, String> owner = new java.util.IdentityHashMap<>();
        for (Experiment e : experiments.values()) {
            if (!e.state().isFinal()) {
                Window w = new Window(e.spec(), e.startsAt(), e.endsAt());
                windows.add(w);
                owner.put(w, e.id());
            }
        }
        for (Window w : planned) {
            if (w.spec instanceof ServiceFailure sf) {
                for (Window other : windows) {
                    if (other.spec instanceof ServiceFailure osf && osf.service().equals(sf.service()) && other.overlaps(w.start, w.end)) {
                        String who = owner.getOrDefault(other, "another step of this plan");
                        throw new ApiException(409, "conflict", "service " + sf.service() + " already has a service_failure: " + who,
                                List.of(new Problem("service", "busy with " + who)));
                    }
                }
            }
            if (w.spec instanceof Backpressure bp) {
                double product = bp.rateMultiplier();
                for (Window other : windows) {
                    if (other.spec instanceof Backpressure obp && other.overlaps(w.start, w.end)) {
                        product *= obp.rateMultiplier();
                    }
                }
                double rate = limits.baselineRate() * product;
                if (rate > limits.maxMessageRate()) {
                    throw new ApiException(409, "rate_cap", String.format(Locale.ROOT,
                            "baseline %.0f msg/s × active multipliers %.3g = %.0f msg/s exceeds the cap of %.0f msg/s (STAMPEDE_MAX_MESSAGE_RATE)",
                            limits.baselineRate(), product, rate, limits.maxMessageRate()),
                            List.of(new Problem("rate_multiplier", "combined rate above the cap " + (long) limits.maxMessageRate() + " msg/s")));
                }
            }
            windows.add(w);
        }
    }

    private synchronized String nextDigits() {
        lastIdDigits = Math.max(System.currentTimeMillis(), lastIdDigits + 1);
        return Long.toString(lastIdDigits);
    }

    private Duration scaled(double seconds) {
        return Duration.ofNanos(Math.round(seconds * timeScale * 1e9));
    }

    // ---------------------------------------------------------------- transitions

    private void start(Experiment e) {
        FaultInjector<ExperimentSpec> injector = injectors.forSpec(e.spec());
        withMdc(e, () -> {
            synchronized (e) {
                if (e.state() != ExperimentState.SCHEDULED || shuttingDown) {
                    return;
                }
                Instant now = Instant.now();
                e.applying(now, now.plus(scaled(e.spec().durationS())));
                record(e, "started", null);
                long t0 = System.nanoTime();
                try {
                    JsonObject token = injector.apply(context(e), e.spec());
                    applyTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                    e.applied(Instant.now(), token == null ? new JsonObject() : token);
                    record(e, "applied", new JsonObject().put("apply_ms", (System.nanoTime() - t0) / 1e6));
                    log.info("experiment {} applied in {} ms", e.id(), (System.nanoTime() - t0) / 1_000_000);
                } catch (Exception failure) {
                    log.error("experiment {} failed to apply: {}", e.id(), failure.toString());
                    // the apply may have been partial: revert is safe with a null token
                    e.reverting();
                    revertWithRetries(e);
                    e.end(ExperimentState.FAILED, Instant.now(), "apply failed: " + failure.getMessage());
                    record(e, "ended", null);
                    return;
                }
            }
            long remaining = Math.max(0, Duration.between(Instant.now(), e.endsAt()).toMillis());
            var ending = injector.ending(context(e));
            if (ending.isPresent()) {
                remaining += injector.endingGrace().toMillis();
                ending.get().whenComplete((how, failure) -> workers.execute(() -> {
                    if (failure != null) {
                        end(e, ExperimentState.FAILED, "ended by itself: " + failure);
                    } else {
                        end(e, how.ok() ? ExperimentState.COMPLETED : ExperimentState.FAILED, how.reason());
                    }
                }));
            }
            timers.put(e.id(), scheduler.schedule(
                    () -> workers.execute(() -> {
                        if (ending.isPresent()) {
                            end(e, ExperimentState.FAILED, "still running " + injector.endingGrace().toSeconds()
                                    + " s after duration_s: stopped");
                        } else {
                            end(e, ExperimentState.COMPLETED, "duration elapsed");
                        }
                    }),
                    remaining, TimeUnit.MILLISECONDS));
        });
    }

    /** Ends an experiment: cancels it if scheduled, reverts its fault if running. Idempotent. */
    public Experiment end(Experiment e, ExperimentState finalState, String reason) {
        withMdc(e, () -> {
            synchronized (e) {
                if (e.state().isFinal()) {
                    return;
                }
                ScheduledFuture<?> t = timers.remove(e.id());
                if (t != null) {
                    t.cancel(false);
                }
                if (e.state() == ExperimentState.RUNNING) {
                    e.reverting();
                    record(e, "reverting", null);
                    revertWithRetries(e);
                }
                e.end(finalState, Instant.now(), reason);
                record(e, "ended", new JsonObject().put("reason", reason));
                log.info("experiment {} {}: {}", e.id(), finalState.json(), reason);
            }
        });
        return e;
    }

    private void revertWithRetries(Experiment e) {
        FaultInjector<ExperimentSpec> injector = injectors.forSpec(e.spec());
        if (injector == null) {
            e.note("no injector for " + e.type() + " in this build: fault could not be reverted");
            log.error("experiment {}: no injector to revert {}", e.id(), e.type());
            return;
        }
        for (int attempt = 1; ; attempt++) {
            long t0 = System.nanoTime();
            try {
                injector.revert(context(e), e.spec(), e.token());
                revertTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                e.reverted(Instant.now());
                record(e, "reverted", new JsonObject().put("revert_ms", (System.nanoTime() - t0) / 1e6));
                return;
            } catch (Exception failure) {
                log.error("experiment {} revert attempt {} failed: {}", e.id(), attempt, failure.toString());
                if (attempt >= REVERT_ATTEMPTS) {
                    e.note("revert failed after " + attempt + " attempts: " + failure.getMessage());
                    record(e, "revert_failed", new JsonObject().put("error", String.valueOf(failure.getMessage())));
                    return;
                }
                sleep(200L * attempt);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    private ExperimentContext context(Experiment e) {
        return new ExperimentContext(e.id(), e.runDir(), timeScale);
    }

    /** Journal first (the safety record), then the run's timeline (the story for reports). */
    private void record(Experiment e, String event, JsonObject data) {
        journal.append(new JsonObject().put("ts", Instant.now().toString()).put("event", event).put("experiment", e.snapshot()));
        JsonObject line = new JsonObject().put("type", e.type()).put("status", e.state().json()).put("fault", e.fault().name().toLowerCase(Locale.ROOT));
        if (data != null) {
            line.mergeIn(data);
        }
        Timeline.append(e.runDir(), event, e.id(), line);
        if (e.planId() != null) {
            Timeline.append(runsDir.resolve(e.planId()), event, e.id(), line);
        }
    }

    /** Adds an event (guardrail, target health) to the timelines of running experiments. */
    public void timelineEvent(Experiment e, String event, JsonObject data) {
        Timeline.append(e.runDir(), event, e.id(), data);
        if (e.planId() != null) {
            Timeline.append(runsDir.resolve(e.planId()), event, e.id(), data);
        }
    }

    // ---------------------------------------------------------------- queries and stops

    public synchronized Optional<Experiment> get(String id) {
        return Optional.ofNullable(experiments.get(id));
    }

    /** Newest first. */
    public synchronized List<Experiment> list() {
        List<Experiment> all = new ArrayList<>(experiments.values());
        all.sort(Comparator.comparing(Experiment::id, Comparator.comparingLong(ExperimentManager::digitsOf)).reversed());
        return all;
    }

    public synchronized List<Experiment> active() {
        return experiments.values().stream().filter(e -> !e.state().isFinal()).toList();
    }

    public JsonObject stats(Experiment e) {
        FaultInjector<ExperimentSpec> injector = injectors.forSpec(e.spec());
        if (injector == null || e.fault() == Experiment.Fault.NONE) {
            return new JsonObject();
        }
        try {
            return injector.stats(context(e));
        } catch (RuntimeException failure) {
            return new JsonObject().put("error", String.valueOf(failure.getMessage()));
        }
    }

    /** Stops every active experiment in parallel; returns them once all are reverted. */
    public List<Experiment> stopAll(ExperimentState finalState, String reason, Duration timeout) {
        List<Experiment> active = active();
        List<CompletableFuture<Experiment>> ends = active.stream()
                .map(e -> CompletableFuture.supplyAsync(() -> end(e, finalState, reason), workers))
                .toList();
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.error("stopping all experiments did not finish in {}: {}", timeout, e.toString());
        }
        return active;
    }

    private synchronized double count(String type, ExperimentState s) {
        return experiments.values().stream().filter(e -> e.type().equals(type) && e.state() == s).count();
    }

    private synchronized double activeFaults() {
        return experiments.values().stream()
                .filter(e -> e.fault() == Experiment.Fault.APPLIED || e.fault() == Experiment.Fault.APPLYING
                        || e.fault() == Experiment.Fault.REVERTING)
                .count();
    }

    public double timeScale() {
        return timeScale;
    }

    /** SIGTERM path: no new experiments, revert everything, close the journal. */
    public void shutdown(Duration timeout) {
        shuttingDown = true;
        List<Experiment> stopped = stopAll(ExperimentState.STOPPED, "chaos API shutdown", timeout);
        if (!stopped.isEmpty()) {
            log.info("shutdown reverted {} experiment(s)", stopped.size());
        }
        scheduler.shutdownNow();
        workers.shutdown();
        injectors.close();
        journal.close();
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(20));
    }

    static void withMdc(Experiment e, Runnable r) {
        try (var a = MDC.putCloseable("_chaos_experiment_id", e.id()); var b = MDC.putCloseable("_chaos_type", e.type())) {
            r.run();
        }
    }
}
