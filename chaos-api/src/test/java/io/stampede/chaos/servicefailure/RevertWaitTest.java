package io.stampede.chaos.servicefailure;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.FreePorts;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash revert waits for the target: stats() stays cheap meanwhile, the wait is bounded and an
 * interrupt ends it; without health_url the revert is done once the target process runs again.
 */
class RevertWaitTest {
    @TempDir
    Path dir;

    private int port;
    private Path pidFile;
    private ExperimentContext ctx;
    private ServiceFailureInjector injector;
    private HttpServer slowHealth;
    private ServerSocket frozenHealth;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        port = FreePorts.next();
        pidFile = dir.resolve("web.pid");
        ctx = new ExperimentContext("chaos_service_failure_" + System.nanoTime(), dir, 1.0);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (injector != null) {
            injector.close();
        }
        if (slowHealth != null) {
            slowHealth.stop(0);
        }
        if (frozenHealth != null) {
            frozenHealth.close();
        }
        for (Socket s : held) {
            s.close();
        }
        // also a target a revert started and then gave up on (interrupt, timeout): it writes its pid file late
        String mine = TinyHttpServer.class.getName() + " " + port + " ";
        long deadline = System.nanoTime() + 2_000_000_000L;
        do {
            ProcessHandle.allProcesses().filter(p -> LocalProcesses.read(p.pid())
                    .filter(id -> id.cmdline().contains(mine)).isPresent()).forEach(p -> {
                        try {
                            LocalProcesses.killTree(p, 5000);
                        } catch (Exception ignored) {
                            // best effort
                        }
                    });
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
    }

    /** The target is started with its own start command, so the default match (that command) names it. */
    private List<String> startCommand() {
        return List.of(ChildJvm.javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), TinyHttpServer.class.getName(),
                Integer.toString(port), pidFile.toString());
    }

    private void startTarget(List<String> cmd) throws Exception {
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile())
                .redirectInput(new File("/dev/null")).start();
        Await.until("target answers", Duration.ofSeconds(15),
                () -> Probes.get(port, "/healthz", 1000) == Probes.Seen.ANSWERS && LocalProcesses.fromPidFile(pidFile).isPresent());
    }

    private ServiceFailureInjector injector(ProcessTarget t, long startTimeoutMs) {
        return new ServiceFailureInjector(new TargetsConfig(Map.of("web", t), List.of()),
                new DockerEngine(DockerEngine.DEFAULT_SOCKET), startTimeoutMs, 15_000);
    }

    /** 503 until {@code okAfterMs} after the first request, then 200. */
    private URI slowHealthUrl(long okAfterMs) throws Exception {
        slowHealth = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        AtomicLong first = new AtomicLong();
        slowHealth.createContext("/healthz", ex -> {
            first.compareAndSet(0, System.nanoTime());
            int code = System.nanoTime() - first.get() > okAfterMs * 1_000_000L ? 200 : 503;
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        slowHealth.start();
        return URI.create("http://127.0.0.1:" + slowHealth.getAddress().getPort() + "/healthz");
    }

    /** Accepts connections and never answers, like a frozen target; records accept times. */
    private URI frozenHealthUrl(List<Long> accepts) throws Exception {
        frozenHealth = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!frozenHealth.isClosed()) {
                try {
                    Socket s = frozenHealth.accept();
                    accepts.add(System.nanoTime());
                    held.add(s);
                } catch (Exception e) {
                    return;
                }
            }
        }, "frozen-health");
        t.setDaemon(true);
        t.start();
        return URI.create("http://127.0.0.1:" + frozenHealth.getLocalPort() + "/healthz");
    }

    private Thread revertInBackground(ServiceFailure spec, JsonObject token, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                injector.revert(ctx, spec, token);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "revert");
        t.start();
        return t;
    }

    @Test
    void statsStaysCheapWhileRevertWaitsForASlowHealthUrl() throws Exception {
        startTarget(startCommand());
        injector = injector(new ProcessTarget("web", pidFile, startCommand(), slowHealthUrl(3_000)), 20_000);
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);
        JsonObject token = injector.apply(ctx, spec);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        Thread revert = revertInBackground(spec, token, failure);
        List<Long> callsUs = new ArrayList<>();
        while (revert.isAlive()) {
            long c0 = System.nanoTime();
            JsonObject s = injector.stats(ctx).json();
            callsUs.add((System.nanoTime() - c0) / 1_000);
            assertThat(s.getString("target")).isEqualTo("web");
            Thread.sleep(5);
        }
        long revertMs = (System.nanoTime() - t0) / 1_000_000;
        long maxUs = callsUs.stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.printf("revert waited %d ms; %d stats() calls meanwhile, max %d us%n", revertMs, callsUs.size(), maxUs);

        assertThat(failure.get()).isNull();
        assertThat(revertMs).as("revert waited for the slow health URL").isGreaterThanOrEqualTo(2_500);
        assertThat(callsUs).hasSizeGreaterThan(100);
        assertThat(maxUs).as("slowest stats() call, us").isLessThan(50_000);
    }

    @Test
    void anInterruptEndsTheHealthWaitPromptly() throws Exception {
        startTarget(startCommand());
        List<Long> accepts = new CopyOnWriteArrayList<>();
        injector = injector(new ProcessTarget("web", pidFile, startCommand(), frozenHealthUrl(accepts)), 20_000);
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);
        JsonObject token = injector.apply(ctx, spec);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread revert = revertInBackground(spec, token, failure);
        Await.until("a health probe is blocked on the frozen URL", Duration.ofSeconds(10), () -> !accepts.isEmpty());
        Thread.sleep(100); // the probe is now well inside its 500 ms read timeout
        long i0 = System.nanoTime();
        revert.interrupt();
        revert.join(5_000);
        long endedMs = (System.nanoTime() - i0) / 1_000_000;
        System.out.printf("revert ended %d ms after interrupt: %s%n", endedMs, failure.get());

        assertThat(revert.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(InterruptedException.class);
        assertThat(endedMs).as("ms from interrupt to the end of revert").isLessThan(150);
    }

    @Test
    void theHealthWaitIsBoundedByTheTargetsHealthTimeout() throws Exception {
        startTarget(startCommand());
        List<Long> accepts = new CopyOnWriteArrayList<>();
        String json = new JsonObject().put("targets", new JsonObject().put("web", new JsonObject()
                .put("type", "process").put("pid_file", pidFile.toString())
                .put("start_command", new io.vertx.core.json.JsonArray(startCommand()))
                .put("health_url", frozenHealthUrl(accepts).toString()).put("health_timeout_s", 1))).encode();
        TargetsConfig cfg = TargetsConfig.parse(json, Map.of());
        assertThat(cfg.problems()).isEmpty();
        injector = new ServiceFailureInjector(cfg, new DockerEngine(DockerEngine.DEFAULT_SOCKET));
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);
        JsonObject token = injector.apply(ctx, spec);

        long t0 = System.nanoTime();
        Throwable thrown = null;
        try {
            injector.revert(ctx, spec, token);
        } catch (Exception e) {
            thrown = e;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("revert gave up after %d ms: %s%n", ms, thrown);
        assertThat(thrown).hasMessageContaining("not healthy 1000 ms after its start command");
        assertThat(ms).isBetween(900L, 2_500L);
    }

    // ---------------------------------------------------------------- health_url is optional

    @Test
    void aTargetWithoutHealthUrlIsAConfiguredService() throws Exception {
        Path file = dir.resolve("targets.json");
        Files.writeString(file, new JsonObject().put("targets", new JsonObject().put("web", new JsonObject()
                .put("type", "process").put("pid_file", pidFile.toString())
                .put("start_command", new io.vertx.core.json.JsonArray(startCommand())))).encode());
        ChaosConfig cfg = ChaosConfig.fromEnv(Map.of(TargetsConfig.FILE_ENV, file.toString(),
                "STAMPEDE_HOME", dir.toString()));

        assertThat(cfg.serviceTargets().get("web").healthUrl()).isNull();
        assertThat(cfg.limits().services()).as("services a service_failure may name").contains("web");
    }

    @Test
    void withoutHealthUrlACrashRevertIsDoneWhenTheTargetRunsAgain() throws Exception {
        // a launcher in the demo's convention ([launcher, "start", <name>]): it starts the service in
        // the background, which writes its own pid file, and exits later; the default match is web.jar
        Path launcher = dir.resolve("launcher.sh");
        List<String> service = new ArrayList<>(startCommand());
        service.add(1, "-Dstampede.part=web.jar");
        Files.writeString(launcher, "#!/bin/bash\nsetsid " + String.join(" ", service.stream().map(a -> "'" + a + "'").toList())
                + " >>'" + dir.resolve("web.log") + "' 2>&1 </dev/null &\nsleep 1.5\n");
        launcher.toFile().setExecutable(true);
        List<String> start = List.of(launcher.toString(), "start", "web");
        startTarget(start);
        injector = injector(new ProcessTarget("web", pidFile, start, null), 20_000);
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);
        JsonObject token = injector.apply(ctx, spec);
        assertThat(Probes.get(port, "/healthz", 1000)).isEqualTo(Probes.Seen.REFUSED);

        injector.revert(ctx, spec, token);

        ProcessHandle now = LocalProcesses.fromPidFile(pidFile).orElseThrow();
        String cmdline = LocalProcesses.read(now.pid()).orElseThrow().cmdline();
        assertThat(cmdline).as("the pid file names the service when revert returns").contains(TinyHttpServer.class.getName());
        assertThat(now.pid()).isNotEqualTo(token.getLong("pid"));
        Await.until("answers", Duration.ofSeconds(10), () -> Probes.get(port, "/healthz", 1000) == Probes.Seen.ANSWERS);
    }
}
