package io.stampede.chaos.servicefailure;

import io.stampede.chaos.inject.FaultStats;
import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.chaos.servicefailure.LocalProcesses.ProcId;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code service_failure}: crash (SIGKILL / docker kill, then start again on revert) or hang
 * (SIGSTOP / docker pause, then SIGCONT / unpause on revert) one configured target.
 *
 * <p>Revert token: {@code {target, kind: container|process, action: crash|hang, container_id |
 * pid + pid_start_ms + pid_file}}. Revert works from the token alone in a new process; with a null
 * token (crash during apply) it falls back to the configured target: thawing is always safe, and
 * after a crash the target is started only if it is not running.
 *
 * <p>A target that is not running (or already frozen) at apply is not touched: apply throws
 * {@link TargetWasDownException} and a later revert of that experiment does nothing.
 */
public final class ServiceFailureInjector implements FaultInjector<ServiceFailure> {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceFailureInjector.class);
    static final long DEFAULT_START_TIMEOUT_MS = 60_000;
    static final long DEFAULT_RECOVERY_TIMEOUT_MS = 120_000;

    private final TargetsConfig targets;
    private final DockerEngine docker;
    private final long startTimeoutMs;
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
        this.targets = targets;
        this.docker = docker;
        this.startTimeoutMs = startTimeoutMs;
        this.recoveryTimeoutMs = recoveryTimeoutMs;
    }

    @Override
    public Class<ServiceFailure> specType() {
        return ServiceFailure.class;
    }

    /** Problems of a spec against the configured targets (for a 400 before anything runs). */
    public List<String> validate(ServiceFailure spec) {
        List<String> problems = new ArrayList<>();
        if (spec.service() == null || targets.get(spec.service()) == null) {
            problems.add("service: unknown target '" + spec.service() + "'; configured: "
                    + String.join(", ", targets.targets().keySet()));
        }
        return problems;
    }

    /** Two service_failure experiments conflict when they touch the same service (the lead answers 409). */
    public static boolean conflicts(ServiceFailure a, ServiceFailure b) {
        return a.service() != null && a.service().equals(b.service());
    }

    /** The experiment currently holding a fault on this service in this process, if any. */
    public Optional<String> activeExperiment(String service) {
        return Optional.ofNullable(activeByService.get(service));
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, ServiceFailure spec) throws Exception {
        TargetConfig target = target(spec.service());
        String owner = activeByService.putIfAbsent(spec.service(), ctx.experimentId());
        if (owner != null && !owner.equals(ctx.experimentId())) {
            throw new IllegalStateException("service '" + spec.service() + "' already has a service_failure: " + owner);
        }
        String action = spec.failureType().name().toLowerCase(Locale.ROOT);
        JsonObject stats = newStats(target.name(), action);
        statsById.put(ctx.experimentId(), stats);
        boolean applied = false;
        try { // logs name the experiment through the runner's MDC scope
            long t0 = System.nanoTime();
            JsonObject token = target instanceof ContainerTarget c
                    ? applyContainer(c, spec.failureType())
                    : applyProcess((ProcessTarget) target, spec.failureType());
            token.put("target", target.name()).put("action", action);
            stats.put("applied_at", Instant.now().toString()).put("apply_ms", ms(t0));
            token.fieldNames().stream().filter(k -> k.equals("pid") || k.equals("container_id"))
                    .forEach(k -> stats.put(k, token.getValue(k)));
            LOG.info("service_failure {} applied to {} in {} ms", action, target.name(), stats.getLong("apply_ms"));
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

    private JsonObject applyContainer(ContainerTarget c, FailureType type) throws Exception {
        JsonObject info = docker.inspect(c.container());
        if (info == null) {
            throw new TargetWasDownException(c.name(), "container '" + c.container() + "' does not exist");
        }
        JsonObject state = info.getJsonObject("State", new JsonObject());
        if (!state.getBoolean("Running", false) || state.getBoolean("Paused", false)) {
            throw new TargetWasDownException(c.name(), "container '" + c.container() + "' is "
                    + state.getString("Status", "not running"));
        }
        String id = info.getString("Id");
        JsonObject token = new JsonObject().put("kind", "container").put("container", c.container()).put("container_id", id);
        if (type == FailureType.CRASH) {
            docker.kill(id);
            awaitContainer(id, false, 10_000);
        } else {
            docker.pause(id);
            awaitPaused(id);
        }
        return token;
    }

    private JsonObject applyProcess(ProcessTarget p, FailureType type) throws Exception {
        OptionalLong pid = LocalProcesses.pidFromFile(p.pidFile());
        String refused = pid.isPresent() ? LocalProcesses.protectedReason(pid.getAsLong()) : null;
        if (refused != null) {
            throw new IllegalArgumentException("target '" + p.name() + "' pid file " + p.pidFile() + ": " + refused
                    + "; refusing to signal it");
        }
        ProcId proc = pid.isPresent() ? LocalProcesses.read(pid.getAsLong()).orElse(null) : null;
        if (proc == null) {
            throw new TargetWasDownException(p.name(), "pid file " + p.pidFile() + " names no running process");
        }
        if (!LocalProcesses.matches(proc, p.match())) {
            throw new TargetWasDownException(p.name(), "pid file " + p.pidFile() + " names pid " + proc.pid() + " ("
                    + abbreviate(proc.cmdline()) + "), which is not target '" + p.name()
                    + "': its command line contains none of " + p.match() + " (stale pid file?)");
        }
        if (LocalProcesses.stopped(proc)) {
            throw new TargetWasDownException(p.name(), "pid " + proc.pid() + " is already stopped (SIGSTOP)");
        }
        JsonObject token = new JsonObject().put("kind", "process").put("pid", proc.pid())
                .put("pid_start_ticks", proc.startTicks()).put("pid_cmdline", proc.cmdline())
                .put("pid_start_ms", ProcessHandle.of(proc.pid()).map(LocalProcesses::startMillis).orElse(0L))
                .put("pid_file", p.pidFile().toString());
        if (type == FailureType.CRASH) {
            LocalProcesses.killTree(proc, 10_000);
        } else {
            // the root first so it cannot fork while its tree is listed
            LocalProcesses.signal("STOP", List.of(proc));
            LocalProcesses.signal("STOP", LocalProcesses.tree(proc));
            // the stop is delivered asynchronously: every thread must be scheduled once to park
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!LocalProcesses.stopped(proc) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        }
        return token;
    }

    /**
     * The target's process if the pid file names one: alive, not protected, command line matching.
     * Anything else the pid file names is someone else's process and is left alone.
     */
    private static Optional<ProcId> targetFromPidFile(ProcessTarget p) {
        OptionalLong pid = LocalProcesses.pidFromFile(p.pidFile());
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        String refused = LocalProcesses.protectedReason(pid.getAsLong());
        if (refused != null) {
            LOG.warn("service_failure: pid file {} of '{}': {}; not the target", p.pidFile(), p.name(), refused);
            return Optional.empty();
        }
        Optional<ProcId> proc = LocalProcesses.read(pid.getAsLong());
        if (proc.isPresent() && !LocalProcesses.matches(proc.get(), p.match())) {
            LOG.warn("service_failure: pid file {} names pid {} ({}), not target '{}' (match {})", p.pidFile(),
                    proc.get().pid(), abbreviate(proc.get().cmdline()), p.name(), p.match());
            return Optional.empty();
        }
        return proc;
    }

    /** The process a token names, if it still is that process (start time and command line). */
    private static Optional<ProcId> tokenProcess(JsonObject token, ProcessTarget p) {
        long pid = token.getLong("pid");
        if (LocalProcesses.protectedReason(pid) != null) {
            return Optional.empty();
        }
        if (token.containsKey("pid_start_ticks")) {
            ProcId recorded = new ProcId(pid, token.getLong("pid_start_ticks"), token.getString("pid_cmdline", ""));
            return recorded.alive() ? Optional.of(recorded) : Optional.empty();
        }
        // a token written before start ticks were recorded: start time in ms and the match pattern
        return LocalProcesses.same(pid, token.getLong("pid_start_ms", 0L))
                .flatMap(h -> LocalProcesses.read(h.pid()))
                .filter(id -> LocalProcesses.matches(id, p.match()));
    }

    private static String abbreviate(String cmdline) {
        return cmdline.length() > 160 ? cmdline.substring(0, 160) + "..." : cmdline;
    }

    @Override
    public void revert(ExperimentContext ctx, ServiceFailure spec, JsonObject token) throws Exception {
        if (refusedIds.containsKey(ctx.experimentId()) || (token != null && token.getBoolean("target_was_down", false))) {
            return; // nothing was injected; leave the target as we found it
        }
        TargetConfig target = target(token != null && token.getString("target") != null ? token.getString("target") : spec.service());
        JsonObject stats = statsById.computeIfAbsent(ctx.experimentId(),
                id -> newStats(target.name(), spec.failureType().name().toLowerCase(Locale.ROOT)));
        FailureType type = token != null && token.getString("action") != null
                ? FailureType.valueOf(token.getString("action").toUpperCase(Locale.ROOT)) : spec.failureType();
        // logs name the experiment through the runner's MDC scope
        long t0 = System.nanoTime();
        boolean changed = target instanceof ContainerTarget c
                ? revertContainer(c, type, token)
                : revertProcess(ctx, (ProcessTarget) target, type, token, t0);
        long revertMs = ms(t0);
        activeByService.remove(target.name(), ctx.experimentId());
        if (stats.getString("reverted_at") != null && !changed) {
            return; // a repeated revert: keep the figures of the first
        }
        stats.put("reverted_at", Instant.now().toString()).put("revert_ms", revertMs);
        LOG.info("service_failure {} on {} reverted in {} ms", type, target.name(), revertMs);
        if (target.healthUrl() != null) {
            if (type == FailureType.CRASH && target instanceof ProcessTarget && stats.containsKey("recovery_ms")) {
                return; // measured while starting
            }
            probes.execute(() -> {
                try {
                    long rec = HealthUrls.awaitHealthy(target.healthUrl(), t0, recoveryTimeoutMs);
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

    private boolean revertContainer(ContainerTarget c, FailureType type, JsonObject token) throws Exception {
        String id = token != null && token.getString("container_id") != null ? token.getString("container_id") : c.container();
        JsonObject info = docker.inspect(id);
        if (info == null) {
            LOG.warn("service_failure revert: container {} ({}) no longer exists, nothing to revert", c.container(), id);
            return false;
        }
        JsonObject state = info.getJsonObject("State", new JsonObject());
        if (state.getBoolean("Paused", false)) {
            // thawing is always safe, whatever the fault was
            unpauseTolerant(id);
            awaitUnpaused(id);
            return true;
        }
        if (type == FailureType.CRASH && !state.getBoolean("Running", false)) {
            docker.start(id);
            // done when it runs again; health (if configured) is measured apart as recovery_ms
            awaitContainer(id, true, c.healthTimeoutMs() > 0 ? c.healthTimeoutMs() : startTimeoutMs);
            return true;
        }
        return false;
    }

    /**
     * dockerd also sets Paused from containerd's events, which can arrive after the unpause call
     * answered; wait for the state to settle and thaw again if a late pause event won.
     */
    private void awaitUnpaused(String id) throws Exception {
        long start = System.nanoTime();
        boolean retried = false;
        while (true) {
            JsonObject info = docker.inspect(id);
            if (info == null || !info.getJsonObject("State", new JsonObject()).getBoolean("Paused", false)) {
                return;
            }
            long waited = (System.nanoTime() - start) / 1_000_000L;
            if (waited > 500 && !retried) {
                unpauseTolerant(id);
                retried = true;
            } else if (waited > 5_000) {
                throw new IOException("container " + id + " still reported paused 5 s after unpause");
            }
            Thread.sleep(10);
        }
    }

    /** The freezer is on when pause answers; the engine's state may lag behind it (late events). */
    private void awaitPaused(String id) throws Exception {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonObject info = docker.inspect(id);
            if (info == null || info.getJsonObject("State", new JsonObject()).getBoolean("Paused", false)) {
                return;
            }
            Thread.sleep(10);
        }
    }

    private void unpauseTolerant(String id) throws IOException {
        try {
            docker.unpause(id);
        } catch (DockerEngine.EngineException e) {
            JsonObject again = docker.inspect(id);
            if (again != null && again.getJsonObject("State", new JsonObject()).getBoolean("Paused", false)) {
                throw e;
            }
        }
    }

    private boolean revertProcess(ExperimentContext ctx, ProcessTarget p, FailureType type, JsonObject token,
            long revertStart) throws Exception {
        boolean fromToken = token != null && token.containsKey("pid");
        // with a token only the process the fault was applied to is thawed; without one (crash
        // during apply) the target the pid file names, since thawing is always safe
        Optional<ProcId> proc = fromToken ? tokenProcess(token, p) : targetFromPidFile(p);
        boolean changed = false;
        if (proc.isPresent() && (type == FailureType.HANG || LocalProcesses.stopped(proc.get()))) {
            // SIGCONT is always safe, and a stop still being delivered may not show in /proc yet
            List<ProcId> tree = LocalProcesses.tree(proc.get());
            changed = tree.stream().anyMatch(LocalProcesses::stopped);
            LocalProcesses.signal("CONT", tree);
            return changed;
        }
        if (proc.isPresent()) {
            return false; // a crash revert whose target already runs
        }
        JsonObject stats = statsById.get(ctx.experimentId());
        if (type == FailureType.HANG) {
            // it died while frozen, or its pid was reused: bring the target back as after a crash
            stats.put("target_lost", true);
            if (targetFromPidFile(p).isPresent()) {
                LOG.warn("service_failure hang revert: pid {} of '{}' is gone; another target process runs"
                        + " (pid file {}), left alone", fromToken ? token.getLong("pid") : "?", p.name(), p.pidFile());
                return false;
            }
            LOG.warn("service_failure hang revert: target '{}' is not running (pid {} gone, pid file {} names no"
                    + " target process); starting it", p.name(), fromToken ? token.getLong("pid") : "?", p.pidFile());
        } else if (targetFromPidFile(p).isPresent()) {
            return false; // already running (restarted by someone else)
        }
        startProcess(ctx, p);
        stats.put("recovery_ms", ms(revertStart));
        return true;
    }

    /**
     * Runs the start command and waits until the target is back: {@code health_url} answers 200,
     * or without one, a target process runs (named by the pid file, or the started process itself
     * when the start command is the service). Bounded by the target's health timeout; an interrupt
     * ends the wait at once.
     */
    private void startProcess(ExperimentContext ctx, ProcessTarget p) throws Exception {
        Path log = startLog(ctx, p);
        ProcessBuilder pb = new ProcessBuilder(p.startCommand())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        LOG.info("service_failure: starting {} with {} (output in {})", p.name(), p.startCommand(), log);
        Process started = pb.start();
        long timeoutMs = p.healthTimeoutMs() > 0 ? p.healthTimeoutMs() : startTimeoutMs;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            boolean up = p.healthUrl() != null ? HealthUrls.answers200(p.healthUrl(), HealthUrls.PROBE_TIMEOUT_MS)
                    : targetFromPidFile(p).isPresent() || startedIsTarget(started, p).isPresent();
            if (up) {
                break;
            }
            if (!started.isAlive() && started.exitValue() != 0) {
                throw new IOException("start command of '" + p.name() + "' exited with " + started.exitValue()
                        + ": " + tail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("'" + p.name() + "' not " + (p.healthUrl() != null ? "healthy" : "running")
                        + " " + timeoutMs + " ms after its start command: " + tail(log));
            }
            Thread.sleep(10);
        }
        Optional<ProcId> itself = startedIsTarget(started, p);
        if (targetFromPidFile(p).isEmpty() && itself.isPresent()) {
            // a start command that is the service itself: keep the pid file true for the next fault
            Files.createDirectories(p.pidFile().toAbsolutePath().getParent());
            Files.writeString(p.pidFile(), itself.get().pid() + "\n");
        }
    }

    /** The started process when it is the service itself (alive, its command line matches). */
    private static Optional<ProcId> startedIsTarget(Process started, ProcessTarget p) {
        return started.isAlive() ? LocalProcesses.read(started.pid()).filter(id -> LocalProcesses.matches(id, p.match()))
                : Optional.empty();
    }

    private static Path startLog(ExperimentContext ctx, ProcessTarget p) throws IOException {
        Path dir = ctx.runDir() != null ? ctx.runDir() : Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(dir);
        return dir.resolve(p.name() + "-start.log");
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() > 800 ? s.substring(s.length() - 800) : s;
        } catch (IOException e) {
            return "<no output>";
        }
    }

    private void awaitContainer(String id, boolean running, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            JsonObject info = docker.inspect(id);
            if (info == null || info.getJsonObject("State", new JsonObject()).getBoolean("Running", false) == running) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("container " + id + " still " + (running ? "stopped" : "running") + " after "
                        + timeoutMs + " ms");
            }
            Thread.sleep(5);
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

    private TargetConfig target(String service) {
        TargetConfig t = service == null ? null : targets.get(service);
        if (t == null) {
            throw new IllegalArgumentException("unknown service_failure target '" + service + "'; configured: "
                    + String.join(", ", targets.targets().keySet()));
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
