package io.stampede.chaos.servicefailure;

import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.servicefailure.LocalProcesses.ProcId;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local process found through its pid file: crash = SIGKILL of its tree, then the start command
 * on revert; hang = SIGSTOP, then SIGCONT. Token: {@code {kind: process, pid, pid_start_ticks,
 * pid_cmdline, pid_start_ms, pid_file}}. The pid file is only a hint: a process is signalled only
 * if it is provably the target (alive, not protected, command line matching).
 */
final class ProcessFailure implements FailureTarget {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessFailure.class);

    private final ProcessTarget p;
    private final long startTimeoutMs;

    ProcessFailure(ProcessTarget p, long startTimeoutMs) {
        this.p = p;
        this.startTimeoutMs = startTimeoutMs;
    }

    @Override
    public TargetConfig config() {
        return p;
    }

    @Override
    public JsonObject apply(FailureType type) throws Exception {
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
    public boolean revertMeasuresRecovery(FailureType type) {
        return type == FailureType.CRASH; // it waits for the target it starts
    }

    @Override
    public boolean revert(ExperimentContext ctx, FailureType type, JsonObject token, JsonObject stats) throws Exception {
        long revertStart = System.nanoTime();
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
        stats.put("recovery_ms", (System.nanoTime() - revertStart) / 1_000_000L);
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
}
