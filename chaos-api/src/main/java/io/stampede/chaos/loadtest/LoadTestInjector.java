package io.stampede.chaos.loadtest;

import io.stampede.chaos.experiment.LoadTest;
import io.stampede.chaos.experiment.SpecType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.chaos.inject.FaultStats;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code load_test}: runs the Gatling {@code WebhookSimulation} in a separate JVM, so Gatling's
 * threads and GC never disturb the chaos API. The revert token holds the child's pid and start
 * time; revert (also from a new process after a crash) stops it with SIGTERM, then SIGKILL.
 *
 * <p>Files in the experiment's run directory: {@code gatling.log} (child stdout/stderr),
 * {@code run.json}, {@code counters.jsonl}, {@code http.hlog}, {@code summary.json} (written by the simulation
 * through the reports module, reports/README.md; read back by {@link LoadTestStats})
 * and {@code gatling/<simulation>-<timestamp>/index.html} (Gatling's report).
 *
 * <p>Integrity (with a {@link LoadTestIntegrity.Config}): requests carry {@code
 * Stampede-Experiment: <experiment id>} and body ids {@code <experiment id>-<seq>}; the simulation
 * writes the seqs answered 202 to {@code accepted.jsonl}, and a {@link LoadTestIntegrity}
 * subscribed to the decisions before the first request matches decisions to them. {@link
 * #stats} then has {@code integrity} ({@link LoadTestIntegrity#json()}). Its subscription stays
 * open after the simulation exits, so late decisions still count, until every accepted request
 * has one and {@link #SETTLED_CLOSE} passed, or {@link #INTEGRITY_CAP} after the exit.
 */
public final class LoadTestInjector implements FaultInjector<LoadTest> {
    public static final String SIMULATION_CLASS = "io.stampede.simulations.WebhookSimulation";
    public static final String DEFAULT_TARGET = "http://127.0.0.1:8001/webhook";
    private static final Logger log = LoggerFactory.getLogger(LoadTestInjector.class);
    /** After every accepted request has its decision, late duplicates are still watched this long. */
    public static final Duration SETTLED_CLOSE = Duration.ofSeconds(30);
    /** The decisions subscription closes at the latest this long after the simulation exited (the verdict's cap). */
    public static final Duration INTEGRITY_CAP = Duration.ofMinutes(31);

    private final SimulationLauncher launcher;
    private final Duration stopGrace;
    private final Map<String, Child> children = new ConcurrentHashMap<>();
    /** How long a stopped simulation gets after SIGTERM before it is killed. */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(5);
    private final LoadTestIntegrity.Config integrity;
    private final java.nio.file.Path systemFile;
    private final Map<String, Tracked> integrities = new ConcurrentHashMap<>();

    private record Child(Process process, Instant startedAt, CompletableFuture<Integer> exitCode) {}

    /** A load test's integrity and when all its accepted requests were first seen decided (0: not yet). */
    private static final class Tracked {
        final LoadTestIntegrity integrity;
        volatile long settledAtMs;
        volatile long exitedAtMs;

        Tracked(LoadTestIntegrity integrity) {
            this.integrity = integrity;
        }
    }

    /**
     * @param integrity where decisions are published, to match them to accepted requests; null:
     *                  no integrity tracking (the verdict's integrity criteria then have no samples)
     */
    public LoadTestInjector(SimulationLauncher launcher, Duration stopGrace, LoadTestIntegrity.Config integrity) {
        this(launcher, stopGrace, integrity, null);
    }

    /**
     * @param systemFile the system file the simulation reads ({@code -Dsystem}: its requests are the
     *                   file's {@code http} section), or null for the demo's webhook
     */
    public LoadTestInjector(SimulationLauncher launcher, Duration stopGrace, LoadTestIntegrity.Config integrity,
                            java.nio.file.Path systemFile) {
        this.launcher = launcher;
        this.stopGrace = stopGrace;
        this.integrity = integrity;
        this.systemFile = systemFile;
    }

    public LoadTestInjector(SimulationLauncher launcher, Duration stopGrace) {
        this(launcher, stopGrace, null);
    }

    public LoadTestInjector(SimulationLauncher launcher, LoadTestIntegrity.Config integrity) {
        this(launcher, DEFAULT_STOP_GRACE, integrity);
    }

    public LoadTestInjector(SimulationLauncher launcher) {
        this(launcher, DEFAULT_STOP_GRACE);
    }

    @Override
    public Class<LoadTest> specType() {
        return LoadTest.class;
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, LoadTest spec) throws IOException, InterruptedException {
        List<String> problems = launcher.problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
        Path runDir = ctx.runDir().toAbsolutePath();
        Files.createDirectories(runDir);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("rps", Double.toString(spec.rps()));
        props.put("duration_s", Long.toString(ctx.timeScale().wholeSeconds(spec.durationS())));
        props.put("payload_size", Integer.toString(spec.payloadSize()));
        props.put("target_url", spec.targetUrl() == null ? DEFAULT_TARGET : spec.targetUrl().toString());
        props.put("run_dir", runDir.toString());
        props.put("stampede.experiment_id", ctx.experimentId());
        props.put("experiment_id", ctx.experimentId());
        if (systemFile != null) {
            props.put("system", systemFile.toString());
        }
        if (integrity != null) {
            // subscribed before the first request: no decision can come before it
            Tracked old = integrities.put(ctx.experimentId(),
                    new Tracked(LoadTestIntegrity.start(integrity, ctx.experimentId(), runDir)));
            if (old != null) {
                old.integrity.close();
            }
        }
        List<String> cmd = launcher.command(SIMULATION_CLASS, props, runDir.resolve("gatling"));
        Path logFile = runDir.resolve("gatling.log");
        Process process;
        try {
            process = new ProcessBuilder(cmd)
                    .directory(runDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException | RuntimeException e) {
            Tracked t = integrities.remove(ctx.experimentId());
            if (t != null) {
                t.integrity.close();
            }
            throw e;
        }
        Instant startedAt = process.info().startInstant().orElse(Instant.now());
        CompletableFuture<Integer> exit = process.onExit().thenApply(Process::exitValue);
        children.put(ctx.experimentId(), new Child(process, startedAt, exit));
        log.info("load_test started: pid {} rps {} duration_s {} target {} log {}",
                process.pid(), spec.rps(), props.get("duration_s"), props.get("target_url"), logFile);
        return new JsonObject()
                .put("pid", process.pid())
                .put("start_epoch_ms", startedAt.toEpochMilli())
                .put("simulation_class", SIMULATION_CLASS)
                .put("run_dir", runDir.toString());
    }

    /** Exit code of the child: 0 passed, 2 failed assertions, 1 crash, or signal exit after revert. */
    public Optional<CompletableFuture<Integer>> exitCode(String experimentId) {
        return Optional.ofNullable(children.get(experimentId)).map(Child::exitCode);
    }

    /** The simulation ends the experiment when it exits: 0 completed, anything else failed. */
    @Override
    public Optional<java.util.concurrent.CompletionStage<Ending>> ending(ExperimentContext ctx) {
        return exitCode(ctx.experimentId()).map(f -> f.thenApply(code -> switch (code) {
            case 0 -> new Ending(true, "simulation finished, assertions passed");
            case 2 -> new Ending(false, "simulation finished, assertions failed (see stats.summary)");
            default -> new Ending(false, "simulation exited with code " + code + " (" + status(code)
                    + "; see gatling.log in the run directory)");
        }));
    }

    /** JVM start before the run, Gatling's report after it. */
    @Override
    public Duration endingGrace() {
        return Duration.ofSeconds(60);
    }

    @Override
    public void revert(ExperimentContext ctx, LoadTest spec, JsonObject token) throws InterruptedException {
        Child child = children.get(ctx.experimentId());
        if (child != null) {
            stop(ctx, child.process().toHandle());
            return;
        }
        if (token == null || token.getLong("pid") == null) {
            // Crash during apply: a child may exist without a journaled pid; find it by run dir.
            String runDir = ctx.runDir().toAbsolutePath().toString();
            for (ProcessHandle h : ProcessHandle.allProcesses().filter(h -> isOurs(h.pid(), runDir)).toList()) {
                stop(ctx, h);
            }
            return;
        }
        long pid = token.getLong("pid");
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return;
        }
        if (!sameStart(handle.get(), token.getLong("start_epoch_ms", 0L))
                || !isOurs(pid, token.getString("run_dir", ctx.runDir().toAbsolutePath().toString()))) {
            log.warn("pid {} from the token is another process now; not killing it", pid);
            return;
        }
        stop(ctx, handle.get());
    }

    private void stop(ExperimentContext ctx, ProcessHandle h) throws InterruptedException {
        if (!h.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = h.descendants().toList();
        h.destroy(); // SIGTERM: the simulation's shutdown hook writes summary.json
        descendants.forEach(ProcessHandle::destroy);
        try {
            h.onExit().get(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("load_test pid {} ignored SIGTERM for {}; SIGKILL", h.pid(), stopGrace);
            h.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException e) {
            h.destroyForcibly();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            h.onExit().get(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("load_test pid " + h.pid() + " still alive after SIGKILL", e);
        }
        log.info("load_test stopped: pid {}", h.pid());
    }

    /** Same JVM as at apply: /proc start time (1 s tolerance: clock ticks) when the token has one. */
    private static boolean sameStart(ProcessHandle h, long startEpochMs) {
        if (startEpochMs <= 0) {
            return true;
        }
        return h.info().startInstant()
                .map(i -> Math.abs(i.toEpochMilli() - startEpochMs) <= 1000)
                .orElse(true);
    }

    /** Whether pid runs our simulation for this run dir (reads /proc/pid/cmdline; Linux). */
    static boolean isOurs(long pid, String runDir) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
            return cmdline.contains(SIMULATION_CLASS) && cmdline.contains("-Drun_dir=" + runDir);
        } catch (IOException e) {
            return false;
        }
    }

    /** Pids of live JVMs running the simulation class (any run dir), from /proc. */
    public static List<Long> runningSimulationPids() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString())
                    .filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> {
                        try {
                            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                                    StandardCharsets.UTF_8).contains(SIMULATION_CLASS);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public FaultStats stats(ExperimentContext ctx) {
        JsonObject stats = LoadTestStats.read(ctx.runDir());
        FaultStats.AcceptedCounts accepted = null;
        if (stats.getString("report") != null) {
            // served by the chaos API under /runs/ (the run dir is named after the experiment)
            stats.put("report_url", "/runs/" + ctx.runDir().getFileName() + "/" + stats.getString("report"));
        }
        Child child = children.get(ctx.experimentId());
        if (child != null) {
            if (child.process().isAlive()) {
                stats.put("status", "running").put("pid", child.process().pid());
            } else {
                int code = child.process().exitValue();
                stats.put("status", status(code)).put("exit_code", code);
            }
        }
        Tracked t = integrities.get(ctx.experimentId());
        if (t != null) {
            LoadTestIntegrity.Figures i = t.integrity.figures();
            stats.put("integrity", i.json());
            accepted = i.counts();
            closeWhenSettled(t, i.json(), child);
        }
        return new FaultStats(stats, null, LoadTestStats.http(stats), accepted);
    }

    /** Closes the decisions subscription once nothing more is expected (the counts stay). */
    private static void closeWhenSettled(Tracked t, JsonObject counts, Child child) {
        if (t.integrity.closed() || child == null || child.process().isAlive()) {
            return;
        }
        long now = System.currentTimeMillis();
        if (counts.getLong("missing") == 0) {
            if (t.settledAtMs == 0) {
                t.settledAtMs = now;
            } else if (now - t.settledAtMs >= SETTLED_CLOSE.toMillis()) {
                t.integrity.close();
            }
        } else {
            t.settledAtMs = 0;
        }
        if (t.exitedAtMs == 0) {
            t.exitedAtMs = now; // first seen exited
        }
        if (now - t.exitedAtMs >= INTEGRITY_CAP.toMillis()) {
            t.integrity.close();
        }
    }

    @Override
    public void close() {
        integrities.values().forEach(t -> t.integrity.close());
        for (Map.Entry<String, Child> e : children.entrySet()) {
            ProcessHandle h = e.getValue().process().toHandle();
            if (h.isAlive()) {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }
        }
        children.clear();
    }

    /** Gatling: 0 passed, 2 assertions failed, 1 crash; 143/137 = stopped by revert (SIGTERM/SIGKILL). */
    public static String status(int exitCode) {
        return switch (exitCode) {
            case 0 -> "passed";
            case 2 -> "assertions_failed";
            case 143, 137 -> "stopped";
            default -> "failed";
        };
    }

}
