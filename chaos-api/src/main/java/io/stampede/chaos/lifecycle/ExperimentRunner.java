package io.stampede.chaos.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.stampede.chaos.experiment.ExperimentSpec;
import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.chaos.experiment.TimeScale;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.chaos.inject.Injectors;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * Runs experiments through their transitions: schedule → apply → expire/stop/abort → revert.
 * Injector calls happen on its worker threads holding only the experiment's transition lock,
 * which no reader takes. A revert is never skipped: it runs before the journal is asked, and a
 * failed one is retried in the background with backoff until it succeeds (visible meanwhile as
 * fault {@code reverting} with {@code revert_error}).
 */
final class ExperimentRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExperimentRunner.class);
    /** Quick tries before DELETE answers; the background retries go on after that. */
    static final int INLINE_REVERT_ATTEMPTS = 3;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Injectors injectors;
    private final ExperimentLog events;
    private final TimeScale scale;
    private final Map<String, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> retries = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final Timer applyTimer;
    private final Timer revertTimer;
    private final ExperimentListener listener;
    private volatile boolean shuttingDown;

    ExperimentRunner(Injectors injectors, ExperimentLog events, TimeScale scale, MeterRegistry registry,
                     ExperimentListener listener) {
        this.injectors = injectors;
        this.events = events;
        this.scale = scale;
        this.listener = listener;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "experiment-scheduler"));
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "experiment-worker-" + n.incrementAndGet()));
        this.applyTimer = Timer.builder("stampede.fault.apply.duration").description("Time to apply a fault")
                .publishPercentileHistogram().register(registry);
        this.revertTimer = Timer.builder("stampede.fault.revert.duration").description("Time to revert a fault")
                .publishPercentileHistogram().register(registry);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    ExecutorService workers() {
        return workers;
    }

    TimeScale scale() {
        return scale;
    }

    ExperimentContext context(Experiment e) {
        return new ExperimentContext(e.id(), e.runDir(), scale);
    }

    /** Starts {@code e} at its {@code startsAt}. */
    void schedule(Experiment e) {
        long delayMs = ceilMillis(Duration.between(Instant.now(), e.startsAt()));
        timers.put(e.id(), scheduler.schedule(() -> workers.execute(() -> start(e)), delayMs, TimeUnit.MILLISECONDS));
    }

    private void start(Experiment e) {
        FaultInjector<ExperimentSpec> injector = injectors.forSpec(e.spec());
        withMdc(e, () -> {
            e.transitions.lock();
            try {
                if (e.state() != ExperimentState.SCHEDULED || shuttingDown) {
                    return;
                }
                Instant now = Instant.now();
                e.applying(now, now.plus(scale.of(e.spec().durationS())));
                try {
                    events.recordOrThrow(e, "started", null);
                } catch (RuntimeException journalDown) {
                    // without a record of "applying", a crash would leave a fault nobody knows of
                    log.error("experiment {} not applied: the journal refused the write ({})", e.id(), journalDown.toString());
                    e.notApplied();
                    e.end(ExperimentState.FAILED, Instant.now(), "not applied: journal write failed: " + journalDown.getMessage());
                    events.record(e, "ended", null);
                    listener.ended(e);
                    return;
                }
                long t0 = System.nanoTime();
                try {
                    JsonObject token = injector.apply(context(e), e.spec());
                    applyTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                    e.applied(Instant.now(), token == null ? new JsonObject() : token);
                    events.record(e, "applied", new JsonObject().put("apply_ms", (System.nanoTime() - t0) / 1e6));
                    listener.applied(e);
                    log.info("experiment {} applied in {} ms", e.id(), (System.nanoTime() - t0) / 1_000_000);
                } catch (Exception failure) {
                    log.error("experiment {} failed to apply: {}", e.id(), failure.toString());
                    // the apply may have been partial: revert is safe with a null token
                    e.reverting();
                    revert(e);
                    e.end(ExperimentState.FAILED, Instant.now(), "apply failed: " + failure.getMessage());
                    events.record(e, "ended", null);
                    listener.ended(e);
                    return;
                }
            } finally {
                e.transitions.unlock();
            }
            long remaining = ceilMillis(Duration.between(Instant.now(), e.endsAt()));
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

    /** Ends an experiment on a worker thread; completes once its fault is reverted (or being retried). */
    CompletableFuture<Experiment> endAsync(Experiment e, ExperimentState finalState, String reason) {
        return CompletableFuture.supplyAsync(() -> end(e, finalState, reason), workers);
    }

    /** Ends an experiment: cancels it if scheduled, reverts its fault if running. Idempotent; blocks. */
    Experiment end(Experiment e, ExperimentState finalState, String reason) {
        withMdc(e, () -> {
            e.transitions.lock();
            try {
                if (e.state().isFinal()) {
                    return;
                }
                ScheduledFuture<?> t = timers.remove(e.id());
                if (t != null) {
                    t.cancel(false);
                }
                if (e.state() == ExperimentState.RUNNING) {
                    e.reverting();
                    // revert first: a journal that cannot be written must never keep a fault applied
                    revert(e);
                }
                listener.reverted(e);
                e.end(finalState, Instant.now(), reason);
                events.record(e, "ended", new JsonObject().put("reason", reason));
                log.info("experiment {} {}: {}", e.id(), finalState.json(), reason);
            } finally {
                e.transitions.unlock();
            }
        });
        listener.ended(e);
        return e;
    }

    /** Reverts with a few quick tries; on failure hands the fault to the background retries. Caller holds the lock. */
    void revert(Experiment e) {
        FaultInjector<ExperimentSpec> injector = injectors.forSpec(e.spec());
        if (injector == null) {
            e.revertFailed("no injector for " + e.type() + " in this build");
            log.error("experiment {}: no injector to revert {}", e.id(), e.type());
            events.record(e, "revert_failed", new JsonObject().put("error", "no injector"));
            return;
        }
        for (int attempt = 1; attempt <= INLINE_REVERT_ATTEMPTS; attempt++) {
            if (tryRevert(e, injector)) {
                return;
            }
            if (attempt < INLINE_REVERT_ATTEMPTS) {
                sleep(200L * attempt);
            }
        }
        events.record(e, "revert_failed", new JsonObject().put("error", e.view().revertError())
                .put("retrying", true));
        retryLater(e, 1);
    }

    private boolean tryRevert(Experiment e, FaultInjector<ExperimentSpec> injector) {
        long t0 = System.nanoTime();
        try {
            injector.revert(context(e), e.spec(), e.token());
            revertTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            e.reverted(Instant.now());
            events.record(e, "reverted", new JsonObject().put("revert_ms", (System.nanoTime() - t0) / 1e6));
            return true;
        } catch (Exception failure) {
            e.revertFailed(String.valueOf(failure.getMessage()));
            log.error("experiment {} revert attempt {} failed: {}", e.id(), e.view().revertAttempts(), failure.toString());
            return false;
        }
    }

    private void retryLater(Experiment e, int round) {
        if (shuttingDown) {
            return;
        }
        long delayMs = Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(round, 16));
        retries.put(e.id(), scheduler.schedule(() -> workers.execute(() -> withMdc(e, () -> {
            e.transitions.lock();
            try {
                if (!e.fault().mayBeApplied()) {
                    retries.remove(e.id());
                    return;
                }
                FaultInjector<ExperimentSpec> injector = injectors.forSpec(e.spec());
                if (injector != null && tryRevert(e, injector)) {
                    retries.remove(e.id());
                    log.info("experiment {} reverted after {} attempts", e.id(), e.view().revertAttempts());
                    return;
                }
            } finally {
                e.transitions.unlock();
            }
            retryLater(e, round + 1);
        })), delayMs, TimeUnit.MILLISECONDS));
    }

    /** The last word at shutdown: one more revert try for every fault still pending. */
    void flushPendingReverts() {
        for (String id : retries.keySet()) {
            retries.remove(id).cancel(false);
        }
    }

    void shutdown() {
        shuttingDown = true;
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    /** Timers round up: a fault never ends before its duration_s (toMillis would cut up to 1 ms short). */
    static long ceilMillis(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        long nanos = d.toNanos();
        return nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shuttingDown = true;
        scheduler.shutdownNow();
        workers.shutdown();
    }

    static void withMdc(Experiment e, Runnable r) {
        try (var a = MDC.putCloseable("_chaos_experiment_id", e.id()); var b = MDC.putCloseable("_chaos_type", e.type())) {
            r.run();
        }
    }
}
