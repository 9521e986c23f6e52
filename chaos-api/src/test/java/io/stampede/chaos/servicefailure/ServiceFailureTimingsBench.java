package io.stampede.chaos.servicefailure;

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
import org.junit.jupiter.api.Test;

/**
 * Measures apply / revert latency and recovery time (revert → health 200) for each target kind
 * and failure type; prints medians. Not a unit test (no assertions on timing, not matched by
 * Surefire's default includes). Run:
 * {@code mvn -B -o -pl chaos-api -am test -Dtest=ServiceFailureTimingsBench -Dsurefire.failIfNoSpecifiedTests=false -Dbench.runs=5}
 */
class ServiceFailureTimingsBench {
    private static final int RUNS = Integer.getInteger("bench.runs", 5);

    @Test
    void measure() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-20s %6s %10s %10s %12s", "case", "runs", "apply_ms", "revert_ms", "recovery_ms"));
        DockerEngine engine = TestDocker.requireEngine();
        TestDocker.ensureImage();
        for (FailureType type : FailureType.values()) {
            lines.add(container(engine, type));
        }
        for (FailureType type : FailureType.values()) {
            lines.add(process(type));
        }
        System.out.println("\n=== service_failure timings (medians) ===\n" + String.join("\n", lines) + "\n");
    }

    private String container(DockerEngine engine, FailureType type) throws Exception {
        String name = "stampede-target-bench-" + System.nanoTime();
        int port = FreePorts.next();
        TestDocker.runHttpServer(name, port);
        try {
            URI health = URI.create("http://127.0.0.1:" + port + "/");
            Await.until("container up", Duration.ofSeconds(10), () -> HealthUrls.probeOnce(health, 500));
            TargetsConfig cfg = new TargetsConfig(Map.of("web", new ContainerTarget("web", name, health)), List.of());
            return rounds("container " + type, new ServiceFailureInjector(cfg, engine), type, health);
        } finally {
            TestDocker.forceRemove(name);
        }
    }

    private String process(FailureType type) throws Exception {
        int port = FreePorts.next();
        Path dir = Files.createTempDirectory("stampede-bench");
        Path pidFile = dir.resolve("web.pid");
        URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
        try (ChildJvm jvm = ChildJvm.start(TinyHttpServer.class, Map.of(), Integer.toString(port), pidFile.toString())) {
            Await.until("process up", Duration.ofSeconds(10), () -> HealthUrls.probeOnce(health, 500));
            List<String> start = List.of(ChildJvm.javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), TinyHttpServer.class.getName(),
                    Integer.toString(port), pidFile.toString());
            TargetsConfig cfg = new TargetsConfig(Map.of("web", new ProcessTarget("web", pidFile, start, health,
                    List.of(TinyHttpServer.class.getName() + " " + port + " "), 0)), List.of());
            return rounds("process " + type, new ServiceFailureInjector(cfg, null), type, health);
        } finally {
            LocalProcesses.fromPidFile(pidFile).ifPresent(p -> {
                try {
                    LocalProcesses.killTree(p, 5000);
                } catch (Exception ignored) {
                    // best effort
                }
            });
        }
    }

    private String rounds(String label, ServiceFailureInjector injector, FailureType type, URI health) throws Exception {
        List<Long> apply = new ArrayList<>();
        List<Long> revert = new ArrayList<>();
        List<Long> recovery = new ArrayList<>();
        try {
            for (int i = 0; i < RUNS; i++) {
                ExperimentContext ctx = new ExperimentContext("bench_" + i + "_" + System.nanoTime(), null, 1.0);
                ServiceFailure spec = new ServiceFailure("web", type, 1);
                JsonObject token = injector.apply(ctx, spec);
                injector.revert(ctx, spec, token);
                Await.until("recovery", Duration.ofSeconds(15), () -> injector.stats(ctx).json().containsKey("recovery_ms"));
                JsonObject s = injector.stats(ctx).json();
                apply.add(s.getLong("apply_ms"));
                revert.add(s.getLong("revert_ms"));
                recovery.add(s.getLong("recovery_ms"));
                Await.until("healthy", Duration.ofSeconds(10), () -> HealthUrls.probeOnce(health, 500));
            }
        } finally {
            injector.close();
        }
        return String.format("%-20s %6d %10d %10d %12d   recovery all=%s", label, RUNS, median(apply), median(revert),
                median(recovery), recovery);
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
