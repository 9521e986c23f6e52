package io.stampede.chaos.servicefailure;

import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.experiment.SpecType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.chaos.inject.FaultStats;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code service_failure}: crash (SIGKILL / docker kill, then start again on revert) or hang
 * (SIGSTOP / docker pause, then SIGCONT / unpause on revert) one configured target. How is the
 * target's {@link FailureTarget} ({@link ContainerFailure} or {@link ProcessFailure}); this class
 * keeps one fault per service, the experiment's figures and the recovery probe.
 *
 * <p>Revert token: {@code {target, action: crash|hang}} plus what the target kind needs. Revert
 * works from the token alone in a new process; with a null token (crash during apply) it falls
 * back to the configured target: thawing is always safe, and after a crash the target is started
 * only if it is not running.
 *
 * <p>A target that is not running (or already frozen) at apply is not touched: apply throws
 * {@link TargetWasDownException} and a later revert of that experiment does nothing.
 */
public final class ServiceFailureInjector implements FaultInjector<ServiceFailure> {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceFailureInjector.class);
    static final long DEFAULT_START_TIMEOUT_MS = 60_000;
    static final long DEFAULT_RECOVERY_TIMEOUT_MS = 120_000;

    private final Map<String, FailureTarget> targets = new LinkedHashMap<>();
    private final long recoveryTimeoutMs;
    private final Map<String, JsonObject> statsById = new ConcurrentHashMap<>();
    private final Map<String, String> activeByService = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refusedIds = new ConcurrentHashMap<>();
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "service-failure-recovery-probe");
        t.setDaemon(true);
        return t;
    });

    public ServiceFailureInjector(TargetsConfig targets, DockerEngine docker) {
        this(targets, docker, DEFAULT_START_TIMEOUT_MS, DEFAULT_RECOVERY_TIMEOUT_MS);
    }

    public ServiceFailureInjector(TargetsConfig targets, DockerEngine docker, long startTimeoutMs,
            long recoveryTimeoutMs) {
        if (!targets.valid()) {
            throw new IllegalArgumentException("invalid targets configuration: " + targets.problems());
        }
        targets.targets().forEach((name, t) -> this.targets.put(name, t instanceof ContainerTarget c
                ? new ContainerFailure(c, docker, startTimeoutMs)
                : new ProcessFailure((ProcessTarget) t, startTimeoutMs)));
        this.recoveryTimeoutMs = recoveryTimeoutMs;
    }

    @Override
    public Class<ServiceFailure> specType() {
        return ServiceFailure.class;
    }

    /** The experiment currently holding a fault on this service in this process, if any. */
    public Optional<String> activeExperiment(String service) {
        return Optional.ofNullable(activeByService.get(service));
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, ServiceFailure spec) throws Exception {
        FailureTarget target = target(spec.service());
        String owner = activeByService.putIfAbsent(spec.service(), ctx.experimentId());
        if (owner != null && !owner.equals(ctx.experimentId())) {
            throw new IllegalStateException("service '" + spec.service() + "' already has a service_failure: " + owner);
        }
        String name = target.config().name();
        String action = spec.failureType().name().toLowerCase(Locale.ROOT);
        JsonObject stats = newStats(name, action);
        statsById.put(ctx.experimentId(), stats);
        boolean applied = false;
        // logs name the experiment through the runner's MDC scope
        try {
            long t0 = System.nanoTime();
            JsonObject token = target.apply(spec.failureType());
            token.put("target", name).put("action", action);
            stats.put("applied_at", Instant.now().toString()).put("apply_ms", ms(t0));
            token.fieldNames().stream().filter(k -> k.equals("pid") || k.equals("container_id"))
                    .forEach(k -> stats.put(k, token.getValue(k)));
            LOG.info("service_failure {} applied to {} in {} ms", action, name, stats.getLong("apply_ms"));
            applied = true;
            return token;
        } catch (TargetWasDownException e) {
            stats.put("target_was_down", true);
            refusedIds.put(ctx.experimentId(), true);
            LOG.warn(e.getMessage());
            throw e;
        } finally {
            if (!applied) {
                activeByService.remove(spec.service(), ctx.experimentId());
            }
        }
    }

    @Override
    public void revert(ExperimentContext ctx, ServiceFailure spec, JsonObject token) throws Exception {
        if (refusedIds.containsKey(ctx.experimentId()) || (token != null && token.getBoolean("target_was_down", false))) {
            return; // nothing was injected; leave the target as we found it
        }
        FailureTarget target = target(token != null && token.getString("target") != null ? token.getString("target") : spec.service());
        TargetConfig config = target.config();
        JsonObject stats = statsById.computeIfAbsent(ctx.experimentId(),
                id -> newStats(config.name(), spec.failureType().name().toLowerCase(Locale.ROOT)));
        FailureType type = token != null && token.getString("action") != null
                ? FailureType.valueOf(token.getString("action").toUpperCase(Locale.ROOT)) : spec.failureType();
        long t0 = System.nanoTime();
        boolean changed = target.revert(ctx, type, token, stats);
        long revertMs = ms(t0);
        activeByService.remove(config.name(), ctx.experimentId());
        if (stats.getString("reverted_at") != null && !changed) {
            return; // a repeated revert: keep the figures of the first
        }
        stats.put("reverted_at", Instant.now().toString()).put("revert_ms", revertMs);
        LOG.info("service_failure {} on {} reverted in {} ms", type, config.name(), revertMs);
        if (config.healthUrl() != null) {
            if (target.revertMeasuresRecovery(type) && stats.containsKey("recovery_ms")) {
                return; // measured while starting
            }
            probes.execute(() -> {
                try {
                    long rec = HealthUrls.awaitHealthy(config.healthUrl(), t0, recoveryTimeoutMs);
                    if (rec >= 0) {
                        stats.put("recovery_ms", rec);
                    } else {
                        stats.put("recovery_error", "not healthy within " + recoveryTimeoutMs + " ms");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @Override
    public FaultStats stats(ExperimentContext ctx) {
        JsonObject s = statsById.get(ctx.experimentId());
        return FaultStats.of(s == null ? new JsonObject() : s.copy());
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }

    private FailureTarget target(String service) {
        FailureTarget t = service == null ? null : targets.get(service);
        if (t == null) {
            throw new IllegalArgumentException("unknown service_failure target '" + service + "'; configured: "
                    + String.join(", ", targets.keySet()));
        }
        return t;
    }

    /** Written by worker and probe threads while stats() copies it: a concurrent map underneath. */
    private static JsonObject newStats(String target, String action) {
        return new JsonObject(new ConcurrentHashMap<>()).put("target", target).put("action", action)
                .put("target_was_down", false);
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000L;
    }
}
