package io.stampede.chaos.servicefailure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.FreePorts;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** service_failure against a real local process (a child JVM with its own child). */
class ProcessServiceFailureTest {
    @TempDir
    Path dir;

    private int port;
    private Path pidFile;
    private ChildJvm jvm;
    private ServiceFailureInjector injector;
    private ExperimentContext ctx;

    @BeforeEach
    void startProcess() {
        port = FreePorts.next();
        pidFile = dir.resolve("web.pid");
        jvm = ChildJvm.start(TinyHttpServer.class, Map.of(), Integer.toString(port), pidFile.toString(), "--child");
        awaitAnswers();
        injector = newInjector();
        ctx = new ExperimentContext("chaos_service_failure_" + System.nanoTime(), dir, 1.0);
    }

    @AfterEach
    void stopEverything() {
        if (injector != null) {
            injector.close();
        }
        // whatever runs now (the first JVM or one the injector restarted), thawed then killed
        LocalProcesses.fromPidFile(pidFile).ifPresent(p -> {
            try {
                LocalProcesses.signalUnchecked("CONT", LocalProcesses.tree(p));
                LocalProcesses.killTree(p, 5000);
            } catch (Exception ignored) {
                // best effort
            }
        });
        jvm.close();
    }

    /** What identifies the target: its main class and port, whichever JVM flags started it. */
    private List<String> match() {
        return List.of(TinyHttpServer.class.getName() + " " + port + " ");
    }

    private ServiceFailureInjector newInjector() {
        List<String> start = List.of(ChildJvm.javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), TinyHttpServer.class.getName(),
                Integer.toString(port), pidFile.toString(), "--child");
        TargetsConfig cfg = new TargetsConfig(Map.of("web", new ProcessTarget("web", pidFile, start,
                URI.create("http://127.0.0.1:" + port + "/healthz"), match(), 0)), List.of());
        return new ServiceFailureInjector(cfg, new DockerEngine(DockerEngine.DEFAULT_SOCKET), 15_000, 15_000);
    }

    private void awaitAnswers() {
        Await.until("process HTTP server answers", Duration.ofSeconds(10),
                () -> Probes.get(port, "/healthz", 1000) == Probes.Seen.ANSWERS);
    }

    private ProcessHandle current() {
        return LocalProcesses.fromPidFile(pidFile).orElseThrow();
    }

    @Test
    void crashKillsTheProcessTreeAndRevertRunsTheStartCommand() throws Exception {
        ProcessHandle before = current();
        List<ProcessHandle> children = before.children().toList();
        assertThat(children).as("the target's own child").isNotEmpty();
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);

        JsonObject token = injector.apply(ctx, spec);

        assertThat(token.getLong("pid")).isEqualTo(before.pid());
        assertThat(token.getLong("pid_start_ms")).isPositive();
        assertThat(LocalProcesses.running(before)).isFalse();
        assertThat(children).noneMatch(LocalProcesses::running);
        assertThat(Probes.get(port, "/healthz", 1000)).isEqualTo(Probes.Seen.REFUSED);

        injector.revert(ctx, spec, token);

        assertThat(Probes.get(port, "/healthz", 2000)).as("healthy when revert returns").isEqualTo(Probes.Seen.ANSWERS);
        ProcessHandle after = current();
        assertThat(after.pid()).isNotEqualTo(before.pid());
        JsonObject stats = injector.stats(ctx).json();
        assertThat(stats.getLong("recovery_ms")).isBetween(1L, 15_000L);
        assertThat(stats.getString("reverted_at")).isNotNull();

        injector.revert(ctx, spec, token); // idempotent: no second instance
        assertThat(current().pid()).isEqualTo(after.pid());
    }

    @Test
    void hangStopsTheProcessTreeSoReadsTimeOutAndRevertContinuesIt() throws Exception {
        ProcessHandle target = current();
        List<ProcessHandle> children = target.children().toList();
        ServiceFailure spec = new ServiceFailure("web", FailureType.HANG, 1);

        JsonObject token = injector.apply(ctx, spec);

        assertThat(LocalProcesses.stopped(target)).isTrue();
        Await.until("children stopped", Duration.ofSeconds(2), () -> children.stream().allMatch(LocalProcesses::stopped));
        assertThat(Probes.get(port, "/healthz", 700)).isEqualTo(Probes.Seen.FROZEN);

        injector.revert(ctx, spec, token);

        // SIGCONT, like SIGSTOP, shows in /proc once each thread has been scheduled
        Await.until("tree continued", Duration.ofSeconds(2), () -> !LocalProcesses.stopped(target)
                && children.stream().noneMatch(LocalProcesses::stopped));
        awaitAnswers();
        Await.until("recovery_ms recorded", Duration.ofSeconds(10), () -> injector.stats(ctx).json().containsKey("recovery_ms"));
        assertThat(current().pid()).isEqualTo(target.pid());
    }

    @Test
    void aFreshInjectorContinuesAStoppedProcessFromTheTokenOrTheName() throws Exception {
        ServiceFailure spec = new ServiceFailure("web", FailureType.HANG, 1);
        JsonObject token = injector.apply(ctx, spec);
        injector.close();

        injector = newInjector();
        injector.revert(ctx, spec, new JsonObject(token.encode()));
        Await.until("continued", Duration.ofSeconds(2), () -> !LocalProcesses.stopped(current()));
        awaitAnswers();

        ExperimentContext second = new ExperimentContext("chaos_service_failure_2", dir, 1.0);
        injector.apply(second, spec);
        injector.close();
        injector = newInjector();
        injector.revert(second, spec, null);
        Await.until("continued", Duration.ofSeconds(2), () -> !LocalProcesses.stopped(current()));
        awaitAnswers();
    }

    @Test
    void aFreshInjectorRestartsACrashedProcessOnlyIfItIsNotRunning() throws Exception {
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);
        injector.apply(ctx, spec);
        injector.close();

        injector = newInjector();
        injector.revert(ctx, spec, null);
        long pid = current().pid();
        awaitAnswers();

        injector.close();
        injector = newInjector();
        injector.revert(ctx, spec, null);
        assertThat(current().pid()).as("a running target is not started twice").isEqualTo(pid);
    }

    @Test
    void aTokenWithAReusedPidSignalsNothing() throws Exception {
        ProcessHandle target = current();
        JsonObject forged = new JsonObject().put("target", "web").put("kind", "process").put("action", "hang")
                .put("pid", target.pid()).put("pid_start_ms", LocalProcesses.startMillis(target) - 60_000);
        LocalProcesses.signalUnchecked("STOP", List.of(target));
        Await.until("stopped", Duration.ofSeconds(2), () -> LocalProcesses.stopped(target));
        try {
            injector.revert(ctx, new ServiceFailure("web", FailureType.HANG, 1), forged);
            assertThat(LocalProcesses.stopped(target)).as("another process with the same pid is not touched").isTrue();
        } finally {
            LocalProcesses.signalUnchecked("CONT", List.of(target));
        }
    }

    @Test
    void aProcessAlreadyDownIsReportedAndNotStarted() throws Exception {
        LocalProcesses.killTree(current(), 5000); // the JVM and its child, unlike jvm.kill9()
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);

        assertThatThrownBy(() -> injector.apply(ctx, spec))
                .isInstanceOf(TargetWasDownException.class)
                .hasMessageContaining("names no running process");
        assertThat(injector.stats(ctx).json().getBoolean("target_was_down")).isTrue();

        injector.revert(ctx, spec, null);
        assertThat(LocalProcesses.fromPidFile(pidFile)).isEmpty();
        assertThat(Probes.get(port, "/healthz", 1000)).isEqualTo(Probes.Seen.REFUSED);
        assertThat(Files.exists(pidFile)).isTrue();
    }
}
