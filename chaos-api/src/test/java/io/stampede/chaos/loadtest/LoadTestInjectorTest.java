package io.stampede.chaos.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.chaos.ApiClient;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.experiment.LoadTest;
import io.stampede.chaos.inject.Injectors;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.demo.gateway.GatewayMain;
import io.stampede.reports.RunReader;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Gatling child JVMs against a real gateway (own JVM) on a real nats-server. Needs
 * simulations/target built first: the test-scoped pom dependency orders the reactor so.
 */
class LoadTestInjectorTest {
    private static final Path SIM_TARGET = Path.of("..", "simulations", "target").toAbsolutePath().normalize();
    private static NatsServer nats;
    private static ChildJvm gateway;
    private static int gatewayPort;
    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @BeforeAll
    static void startGateway() throws java.io.IOException {
        assertThat(SimulationLauncher.forTarget(SIM_TARGET).problems())
                .as("simulations module built (mvn -B -DskipTests package -pl simulations -am)").isEmpty();
        nats = NatsServer.start();
        gatewayPort = FreePorts.next();
        gateway = ChildJvm.start(GatewayMain.class, Map.of(
                "NATS_URL", nats.url(),
                "GATEWAY_PORT", Integer.toString(gatewayPort),
                "AGENT_PORT", Integer.toString(FreePorts.next()),
                "STAMPEDE_SERVICE", "gateway",
                // The child shares the test classpath, hence logback-test.xml: logback also reads
                // this variable from the environment, so the child does not truncate and
                // interleave the file JsonLoggingTest reads back.
                "stampede.test.log", Files.createTempFile("stampede-gateway-", ".jsonl").toString()));
        Await.until("gateway healthy", Duration.ofSeconds(30), () -> {
            assertThat(gateway.isAlive()).as("gateway alive: %s", gateway.log()).isTrue();
            try {
                return get("/healthz").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long received() throws Exception {
        return get("/metrics").body().lines()
                .filter(l -> l.startsWith("gateway_webhooks_received_total"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private LoadTest spec(double rps, int durationS) {
        return new LoadTest(rps, durationS, 1024, URI.create("http://127.0.0.1:" + gatewayPort + "/webhook"));
    }

    @Test
    void runsToCompletionAndTheGatewayCountsEveryRequest() throws Exception {
        LoadTestInjector injector = new LoadTestInjector(SimulationLauncher.forTarget(SIM_TARGET));
        ExperimentContext ctx = new ExperimentContext("chaos_load_test_1", tmp.resolve("run"), 1.0);
        long before = received();
        try {
            JsonObject token = injector.apply(ctx, spec(20, 3));
            assertThat(token.getLong("pid")).isPositive();
            int code = injector.exitCode(ctx.experimentId()).orElseThrow().get(45, TimeUnit.SECONDS);
            String log = Files.readString(ctx.runDir().resolve("gatling.log"));
            assertThat(code).as("Gatling exit code; log:\n%s", log).isZero();

            JsonObject stats = injector.stats(ctx).json();
            JsonObject summary = stats.getJsonObject("summary");
            assertThat(summary.getBoolean("completed")).isTrue();
            assertThat(summary.getLong("count")).isEqualTo(60);
            assertThat(summary.getLong("requests")).isEqualTo(60);
            assertThat(summary.getLong("ok")).isEqualTo(60);
            assertThat(summary.getLong("ko")).isZero();
            assertThat(summary.getDouble("achieved_per_s")).isBetween(18.0, 22.0);
            assertThat(summary.getDouble("p95_ms")).isPositive();
            assertThat(stats.getString("status")).isEqualTo("passed");
            assertThat(stats.getString("report")).startsWith("gatling/").endsWith("index.html");
            assertThat(stats.getJsonObject("progress").getLong("requests")).isEqualTo(60);
            RunReader run = RunReader.open(ctx.runDir());
            assertThat(run.run().orElseThrow().type()).isEqualTo("load_test");
            assertThat(run.run().orElseThrow().id()).isEqualTo(ctx.experimentId());
            assertThat(run.series("http").orElseThrow().merged().getTotalCount()).isEqualTo(60);
            assertThat(received() - before).isEqualTo(60);
        } finally {
            injector.close();
        }
    }

    @Test
    void revertStopsTheChildEarlyAndLeavesNoJvmBehind() throws Exception {
        LoadTestInjector injector = new LoadTestInjector(SimulationLauncher.forTarget(SIM_TARGET));
        ExperimentContext ctx = new ExperimentContext("chaos_load_test_2", tmp.resolve("run"), 1.0);
        try {
            JsonObject token = injector.apply(ctx, spec(10, 120));
            long pid = token.getLong("pid");
            Await.until("requests flowing", Duration.ofSeconds(30), () -> {
                JsonObject p = injector.stats(ctx).json().getJsonObject("progress");
                return p != null && p.getLong("requests") > 5;
            });
            injector.revert(ctx, spec(10, 120), token);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(LoadTestInjector.runningSimulationPids()).doesNotContain(pid);
            // idempotent
            injector.revert(ctx, spec(10, 120), token);
            JsonObject stats = injector.stats(ctx).json();
            assertThat(stats.getString("status")).isEqualTo("stopped");
            // SIGTERM lets the simulation's shutdown hook write its figures so far.
            assertThat(stats.getJsonObject("summary").getBoolean("completed")).isFalse();
            assertThat(stats.getJsonObject("summary").getLong("count")).isPositive();
        } finally {
            injector.close();
        }
    }

    @Test
    void aFreshInjectorRevertsFromTheTokenAlone() throws Exception {
        LoadTestInjector first = new LoadTestInjector(SimulationLauncher.forTarget(SIM_TARGET));
        ExperimentContext ctx = new ExperimentContext("chaos_load_test_3", tmp.resolve("run"), 1.0);
        long pid = 0;
        try {
            JsonObject token = first.apply(ctx, spec(5, 120));
            pid = token.getLong("pid");
            // Simulates a chaos-API crash: only the journaled token survives.
            JsonObject journaled = new JsonObject(token.encode());
            LoadTestInjector second = new LoadTestInjector(SimulationLauncher.forTarget(SIM_TARGET));
            second.revert(ctx, spec(5, 120), journaled);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(LoadTestInjector.runningSimulationPids()).doesNotContain(pid);

            // A token whose pid is now some other process must not kill it.
            JsonObject foreign = new JsonObject().put("pid", ProcessHandle.current().pid())
                    .put("start_epoch_ms", 1L).put("run_dir", ctx.runDir().toString());
            second.revert(ctx, spec(5, 120), foreign);
            assertThat(ProcessHandle.current().isAlive()).isTrue();
        } finally {
            first.close();
        }
    }

    @Test
    void throughTheApiALoadTestEndsByItselfWithItsReportAndDeleteLeavesNoChild() throws Exception {
        Path data = tmp.resolve("api");
        String webhook = "http://127.0.0.1:" + gatewayPort + "/webhook";
        ChaosConfig cfg = ChaosConfig.forTest("nats://127.0.0.1:1",
                Map.of("gateway", URI.create("http://127.0.0.1:" + gatewayPort + "/healthz")), data, 1.0);
        try (ApiFixture fx = ApiFixture.start(cfg,
                Injectors.of(new LoadTestInjector(SimulationLauncher.forTarget(SIM_TARGET))), data)) {
            long before = received();
            String done = created(fx.client.postJson("/experiments", "{\"type\":\"load_test\",\"rps\":20,\"duration_s\":3,"
                    + "\"payload_size\":4096,\"target_url\":\"" + webhook + "\"}"));
            Await.until("load_test ends by itself", Duration.ofSeconds(90),
                    () -> !fx.client.get("/experiments/" + done).json().getString("status").matches("scheduled|running"));
            JsonObject e = fx.client.get("/experiments/" + done).json();
            assertThat(e.getString("status")).as(e.encodePrettily()).isEqualTo("completed");
            JsonObject stats = e.getJsonObject("stats");
            assertThat(stats.getJsonObject("summary").getLong("count")).isEqualTo(60);
            assertThat(stats.getJsonObject("summary").getLong("ko")).isZero();
            assertThat(received() - before).isEqualTo(60);
            ApiClient.Response report = fx.client.get(stats.getString("report_url"));
            assertThat(report.status()).isEqualTo(200);
            assertThat(report.body()).containsIgnoringCase("<html");
            assertThat(fx.client.get("/runs/" + done + "/timeline.jsonl").body()).contains("\"reverted\"");

            String id = created(fx.client.postJson("/experiments", "{\"type\":\"load_test\",\"rps\":10,\"duration_s\":120,"
                    + "\"target_url\":\"" + webhook + "\"}"));
            Await.until("requests flowing", Duration.ofSeconds(30), () -> {
                JsonObject p = fx.client.get("/experiments/" + id).json().getJsonObject("stats").getJsonObject("progress");
                return p != null && p.getLong("requests") > 5;
            });
            long pid = fx.client.get("/experiments/" + id).json().getJsonObject("stats").getLong("pid");
            ApiClient.Response stopped = fx.client.delete("/experiments/" + id);
            assertThat(stopped.status()).isEqualTo(200);
            assertThat(stopped.json().getString("status")).isEqualTo("stopped");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(LoadTestInjector.runningSimulationPids()).doesNotContain(pid);
        }
    }

    private static String created(ApiClient.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().getString("experiment_id");
    }
}
