package io.stampede.chaos.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stampede.chaos.servicefailure.ProcessTarget;
import io.stampede.chaos.servicefailure.TargetConfig;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The series the chaos API adds to /metrics, read from a real scrape: CPU and memory of a real
 * process target under cAdvisor's names, a target that is down, and a real nats-server's /varz and
 * /jsz. (Containers: deploy/test/compose-test.sh reads them from the Engine API on a compose stack;
 * DashboardQueriesTest runs every dashboard query against a real Prometheus.)
 */
class ChaosMetricsTest {
    @TempDir
    Path dir;

    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void cpuAndMemoryOfProcessTargetsUnderCadvisorNames() throws Exception {
        Path pidFile = dir.resolve("web.pid");
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        Map<String, TargetConfig> targets = new LinkedHashMap<>();
        // match: this JVM's command line holds "java" (its executable)
        targets.put("web", new ProcessTarget("web", pidFile, List.of("true"), null, List.of("java"), 0));
        // the same pid file, but the process does not match: a stale pid file is not the target
        targets.put("stale", new ProcessTarget("stale", pidFile, List.of("true"), null, List.of("no-such-service.jar"), 0));
        targets.put("gone", new ProcessTarget("gone", dir.resolve("missing.pid"), List.of("true"), null));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ChaosMetrics m = new ChaosMetrics(List.of(new ResourceMetrics(targets, null, ProcessHandle.current().pid())))) {
            m.sampleNow();
            registry.getPrometheusRegistry().register(m);
            String scrape = registry.scrape();
            assertThat(scrape).contains("# TYPE container_cpu_usage_seconds_total counter")
                    .contains("# TYPE container_memory_usage_bytes gauge");
            double cpu = value(scrape, "container_cpu_usage_seconds_total{name=\"web\"}");
            double rss = value(scrape, "container_memory_usage_bytes{name=\"web\"}");
            // this JVM: some CPU already, and a resident set far above a few MB
            assertThat(cpu).isGreaterThan(0);
            assertThat(rss).isGreaterThan(16 * 1024 * 1024);
            assertThat(value(scrape, "stampede_target_resources_up{name=\"web\"}")).isEqualTo(1);
            assertThat(value(scrape, "stampede_target_resources_up{name=\"gone\"}")).isZero();
            assertThat(value(scrape, "stampede_target_resources_up{name=\"stale\"}")).isZero();
            assertThat(scrape).doesNotContain("container_cpu_usage_seconds_total{name=\"gone\"}");
            assertThat(value(scrape, "container_cpu_usage_seconds_total{name=\"chaos-api\"}")).isGreaterThan(0);

            // CPU time grows with work done, as a counter must
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            long x = 0;
            while (System.nanoTime() < until) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
            }
            m.sampleNow();
            assertThat(value(registry.scrape(), "container_cpu_usage_seconds_total{name=\"web\"}")).as("spun " + x).isGreaterThan(cpu);
        }
    }

    @Test
    void natsVarzAndJszBecomeSeries() throws Exception {
        int port = FreePorts.next();
        int monitor = FreePorts.next();
        Path store = Files.createDirectories(dir.resolve("js"));
        Process nats = new ProcessBuilder(NatsServer.binary(), "-a", "127.0.0.1", "-p", Integer.toString(port),
                "-m", Integer.toString(monitor), "-js", "-sd", store.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nats.log").toFile()).start();
        try (ChaosMetrics m = new ChaosMetrics(List.of(new NatsMonitorMetrics(URI.create("http://127.0.0.1:" + monitor))))) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.getPrometheusRegistry().register(m);
            String scrape = "";
            Pattern up = Pattern.compile("(?m)^nats_up 1");
            for (int i = 0; i < 100 && !up.matcher(scrape).find(); i++) {
                m.sampleNow();
                scrape = registry.scrape();
                Thread.sleep(100);
            }
            assertThat(value(scrape, "nats_up")).as("nats-server alive: %s, its log:%n%s", nats.isAlive(),
                    Files.readString(dir.resolve("nats.log"))).isEqualTo(1);
            assertThat(scrape).contains("nats_varz_in_msgs_total ").contains("nats_varz_connections ")
                    .contains("nats_jetstream_streams ");
            nats.destroy();
            nats.waitFor(10, TimeUnit.SECONDS);
            m.sampleNow();
            assertThat(value(registry.scrape(), "nats_up")).as("server gone").isZero();
        } finally {
            nats.destroyForcibly();
        }
    }
}
