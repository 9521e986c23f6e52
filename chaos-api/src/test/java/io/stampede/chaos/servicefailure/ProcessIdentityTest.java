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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pid file is a hint, not an identity: a process is signalled only if its start time and command
 * line are the target's. Unrelated processes here are real {@code sleep}s whose /proc state is read.
 */
class ProcessIdentityTest {
    @TempDir
    Path dir;

    private int port;
    private Path pidFile;
    private ChildJvm jvm;
    private ServiceFailureInjector injector;
    private ExperimentContext ctx;
    private final List<Process> strangers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        port = FreePorts.next();
        pidFile = dir.resolve("web.pid");
        injector = newInjector();
        ctx = new ExperimentContext("chaos_service_failure_" + System.nanoTime(), dir, 1.0);
    }

    @AfterEach
    void tearDown() throws Exception {
        injector.close();
        for (Process p : strangers) {
            LocalProcesses.signalUnchecked("CONT", List.of(p.toHandle()));
            p.destroyForcibly();
        }
        LocalProcesses.fromPidFile(pidFile).ifPresent(p -> {
            try {
                LocalProcesses.signalUnchecked("CONT", LocalProcesses.tree(p));
                LocalProcesses.killTree(p, 5000);
            } catch (Exception ignored) {
                // best effort
            }
        });
        if (jvm != null) {
            jvm.close();
        }
    }

    private List<String> startCommand() {
        return List.of(ChildJvm.javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), TinyHttpServer.class.getName(),
                Integer.toString(port), pidFile.toString(), "--child");
    }

    /** What identifies the target: its main class and port, whichever JVM flags started it. */
    private List<String> match() {
        return List.of(TinyHttpServer.class.getName() + " " + port + " ");
    }

    private ServiceFailureInjector newInjector() {
        TargetsConfig cfg = new TargetsConfig(Map.of("web", new ProcessTarget("web", pidFile, startCommand(),
                URI.create("http://127.0.0.1:" + port + "/healthz"), match(), 0)), List.of());
        return new ServiceFailureInjector(cfg, new DockerEngine(DockerEngine.DEFAULT_SOCKET), 15_000, 15_000);
    }

    private void startTarget() {
        jvm = ChildJvm.start(TinyHttpServer.class, Map.of(), Integer.toString(port), pidFile.toString(), "--child");
        awaitAnswers();
    }

    private void awaitAnswers() {
        Await.until("target answers", Duration.ofSeconds(10),
                () -> Probes.get(port, "/healthz", 1000) == Probes.Seen.ANSWERS);
    }

    /** An unrelated live process: {@code sleep 60}, a child of this JVM. */
    private ProcessHandle stranger() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        strangers.add(p);
        return p.toHandle();
    }

    private static char state(ProcessHandle p) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private void pidFileNames(ProcessHandle p) throws Exception {
        Files.writeString(pidFile, p.pid() + "\n");
    }

    // (a) a stale pid file naming an unrelated live process

    @Test
    void aHangRefusesAnUnrelatedProcessThePidFileNames() throws Exception {
        ProcessHandle sleep = stranger();
        pidFileNames(sleep);
        ServiceFailure spec = new ServiceFailure("web", FailureType.HANG, 1);

        assertThatThrownBy(() -> injector.apply(ctx, spec))
                .isInstanceOf(TargetWasDownException.class)
                .hasMessageContaining("pid " + sleep.pid()).hasMessageContaining("sleep 60")
                .hasMessageContaining("not target 'web'");

        Thread.sleep(50); // a SIGSTOP is delivered asynchronously
        assertThat(sleep.isAlive()).isTrue();
        assertThat(state(sleep)).as("/proc state of the unrelated process").isIn('S', 'R');
        assertThat(injector.stats(ctx).json().getBoolean("target_was_down")).isTrue();
        injector.revert(ctx, spec, null);
        assertThat(state(sleep)).isIn('S', 'R');
    }

    @Test
    void aCrashRefusesAnUnrelatedProcessThePidFileNames() throws Exception {
        ProcessHandle sleep = stranger();
        pidFileNames(sleep);

        assertThatThrownBy(() -> injector.apply(ctx, new ServiceFailure("web", FailureType.CRASH, 1)))
                .isInstanceOf(TargetWasDownException.class)
                .hasMessageContaining("not target 'web'");

        Thread.sleep(50);
        assertThat(sleep.isAlive()).as("the unrelated process was not killed").isTrue();
        assertThat(state(sleep)).isIn('S', 'R');
    }

    // (b) the chaos API itself, its ancestors, init

    @Test
    void theApiItselfItsAncestorsAndInitAreRefused() throws Exception {
        List<Long> protectedPids = new ArrayList<>();
        protectedPids.add(ProcessHandle.current().pid());
        for (ProcessHandle p = ProcessHandle.current().parent().orElse(null); p != null;
                p = p.parent().orElse(null)) {
            protectedPids.add(p.pid());
        }
        protectedPids.add(1L);
        protectedPids.add(0L);
        for (long pid : protectedPids) {
            Files.writeString(pidFile, pid + "\n");
            ExperimentContext c = new ExperimentContext("chaos_service_failure_" + pid, dir, 1.0);
            assertThatThrownBy(() -> injector.apply(c, new ServiceFailure("web", FailureType.HANG, 1)))
                    .as("pid %d", pid)
                    .hasMessageContaining("refusing");
        }
        assertThat(state(ProcessHandle.current())).isIn('S', 'R');
    }

    // (c) the target is replaced during duration_s

    @Test
    void aHangWhoseTargetIsReplacedLeavesTheImpostorAloneAndStartsTheTarget() throws Exception {
        startTarget();
        ServiceFailure spec = new ServiceFailure("web", FailureType.HANG, 1);
        JsonObject token = injector.apply(ctx, spec);

        // during duration_s: the target dies and its pid file ends up naming another (stopped) process
        LocalProcesses.killTree(LocalProcesses.fromPidFile(pidFile).orElseThrow(), 5000);
        ProcessHandle impostor = stranger();
        LocalProcesses.signalUnchecked("STOP", List.of(impostor));
        Await.until("impostor stopped", Duration.ofSeconds(2), () -> LocalProcesses.stopped(impostor));
        pidFileNames(impostor);

        injector.close();
        injector = newInjector(); // a restarted chaos API, from the name only
        injector.revert(ctx, spec, null);

        Thread.sleep(50);
        assertThat(state(impostor)).as("impostor not continued").isEqualTo('T');
        assertThat(Probes.get(port, "/healthz", 2000)).as("target restarted by the revert").isEqualTo(Probes.Seen.ANSWERS);
        assertThat(LocalProcesses.fromPidFile(pidFile).orElseThrow().pid()).isNotEqualTo(impostor.pid());
        assertThat(injector.stats(ctx).json().getBoolean("target_lost")).isTrue();

        // and the journaled token of the first apply still names a process that is gone: nothing to signal
        injector.revert(ctx, spec, token);
        assertThat(state(impostor)).isEqualTo('T');
    }

    @Test
    void aCrashWhosePidFileNowNamesAnImpostorStartsTheTargetAndSparesTheImpostor() throws Exception {
        startTarget();
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);
        JsonObject token = injector.apply(ctx, spec);
        ProcessHandle impostor = stranger();
        pidFileNames(impostor);

        injector.revert(ctx, spec, token);

        assertThat(Probes.get(port, "/healthz", 2000)).as("target restarted").isEqualTo(Probes.Seen.ANSWERS);
        assertThat(impostor.isAlive()).isTrue();
        assertThat(state(impostor)).isIn('S', 'R');
        assertThat(LocalProcesses.fromPidFile(pidFile).orElseThrow().pid()).isNotEqualTo(impostor.pid());
    }
}
