package io.stampede.simulations;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunReader;
import io.stampede.reports.Series;
import io.stampede.reports.Summary;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real, short Gatling runs (≤ 3 s at ≤ 20 rps) against a small JDK HTTP target, checking the exit
 * codes the chaos API and CI rely on: a met assertion exits 0, a broken one fails the Maven run.
 * (The end-to-end run against the real demo gateway is LoadTestInjectorTest in chaos-api.)
 */
class GatlingRunTest {
    private HttpServer target;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();

    @TempDir
    Path tmp;

    @BeforeEach
    void startTarget() throws IOException {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        target.setExecutor(Executors.newFixedThreadPool(4));
        target.createContext("/webhook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.incrementAndGet();
            bodyBytes.addAndGet(body.length);
            byte[] resp = "{\"status\":\"accepted\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(202, resp.length);
            ex.getResponseBody().write(resp);
            ex.close();
        });
        target.start();
    }

    @AfterEach
    void stopTarget() {
        target.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + target.getAddress().getPort() + "/webhook";
    }

    private List<String> props(Path runDir, String p95Ms) {
        return List.of("-Drps=20", "-Dduration_s=2", "-Dpayload_size=700", "-Dp95_ms=" + p95Ms,
                "-Dtarget_url=" + url(), "-Drun_dir=" + runDir, "-Dgatling.data.enableAnalytics=false");
    }

    @Test
    void directLaunchPassesAndRecordsItsOwnFigures() throws Exception {
        Path runDir = tmp.resolve("run");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"));
        cmd.addAll(props(runDir, "1000"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.gatling.app.Gatling",
                "-s", WebhookSimulation.class.getName(), "-rf", runDir.resolve("gatling").toString()));
        int code = run(cmd, tmp.resolve("direct.log"));
        assertThat(code).as(Files.readString(tmp.resolve("direct.log"))).isZero();

        assertThat(received.get()).isEqualTo(40);
        assertThat(bodyBytes.get()).isEqualTo(40 * 700);
        // RunRecorder's output, read back through the reports module's reader
        RunReader r = RunReader.open(runDir);
        RunInfo run = r.run().orElseThrow();
        assertThat(run.type()).isEqualTo("simulation");
        assertThat(run.producer()).isEqualTo("simulations");
        assertThat(run.endedAtMs()).isNotNull();
        Summary summary = r.summary().orElseThrow();
        assertThat(summary.completed()).isTrue();
        assertThat(summary.values().get("achieved_per_s").doubleValue()).isBetween(18.0, 22.0);
        CounterRecord last = summary.counters().stream().filter(c -> c.source().equals("gatling")).findFirst().orElseThrow();
        assertThat(last.values()).containsEntry("requests", 40L).containsEntry("ok", 40L).containsEntry("ko", 0L);
        assertThat(r.counters()).isNotEmpty().allSatisfy(c -> assertThat(c.source()).isEqualTo("gatling")).last().isEqualTo(last);
        Series http = r.series(RunFiles.SERIES_HTTP).orElseThrow();
        assertThat(http.merged().getTotalCount()).isEqualTo(40);
        assertThat(summary.latency()).singleElement().satisfies(l -> {
            assertThat(l.series()).isEqualTo("http");
            assertThat(l.count()).isEqualTo(40);
            assertThat(l.p95Us()).isEqualTo(http.merged().getValueAtPercentile(95));
        });
        assertThat(r.problems()).isEmpty();
    }

    /** -Dsystem=FILE: the file's method, headers, header id, text body and accepted status make every request. */
    @Test
    void aSystemFileShapesEveryRequest() throws Exception {
        java.util.Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Set<String> shapes = java.util.concurrent.ConcurrentHashMap.newKeySet();
        target.createContext("/orders", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ids.add(ex.getRequestHeaders().getFirst("Order-Id"));
            shapes.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("X-Tenant") + " "
                    + body.replaceAll("[0-9]+", "#").replaceAll(" +", " "));
            ex.sendResponseHeaders(201, -1);
            ex.close();
        });
        Path file = tmp.resolve("orders.yaml");
        Files.writeString(file, """
                nats: {url: "nats://127.0.0.1:1"}
                traffic: {rate: 1, subject: "orders.in.{symbol}", symbols: [eu, us], body: 'x', id: "header:Order-Id"}
                outcomes: {subject: orders.done, id: "header:Order-Id"}
                http:
                  url: "http://127.0.0.1:%d/orders"
                  method: PUT
                  headers: {X-Tenant: t1, Content-Type: text/plain}
                  body: 'order {seq} for {symbol}'
                  id: "header:Order-Id"
                  accepted: [201]
                """.formatted(target.getAddress().getPort()));
        Path runDir = tmp.resolve("run");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"));
        cmd.addAll(List.of("-Drps=20", "-Dduration_s=2", "-Dp95_ms=1000", "-Dsystem=" + file, "-Dexperiment_id=exp1",
                "-Drun_dir=" + runDir, "-Dgatling.data.enableAnalytics=false"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.gatling.app.Gatling",
                "-s", WebhookSimulation.class.getName(), "-rf", runDir.resolve("gatling").toString()));
        int code = run(cmd, tmp.resolve("system.log"));
        assertThat(code).as(Files.readString(tmp.resolve("system.log"))).isZero();
        assertThat(received.get()).as("nothing went to the demo's default URL").isZero();
        assertThat(ids).hasSize(40).allSatisfy(id -> assertThat(id).matches("exp1-\\d{10}"));
        assertThat(shapes).containsExactlyInAnyOrder("PUT t1 order # for eu", "PUT t1 order # for us");
        CounterRecord last = RunReader.open(runDir).summary().orElseThrow().counters().stream()
                .filter(c -> c.source().equals("gatling")).findFirst().orElseThrow();
        assertThat(last.values()).containsEntry("ok", 40L).containsEntry("ko", 0L);
    }

    @Test
    void aBrokenAssertionMakesTheMavenRunExitNonZero() throws Exception {
        Path runDir = tmp.resolve("run");
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q"));
        // The outer build's local repository, never -o: the nested run may fetch what the outer
        // build did not (nothing, since the outer build loads the Gatling plugin itself, but a
        // repository filled by an older build may lack the plugin's dependencies).
        String repo = System.getProperty("stampede.maven.repo.local", "");
        if (!repo.isBlank() && !repo.contains("${")) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        // a reactor build (-am) so that stampede-reports resolves without `mvn install`; test phase only
        cmd.addAll(List.of("-f", Path.of("..", "pom.xml").toAbsolutePath().normalize().toString(), "-pl", "simulations", "-am",
                "test", "-DskipTests", "-Dsimulate", "-Dgatling.simulationClass=" + WebhookSimulation.class.getName()));
        // p95 < 0 ms cannot hold: the assertion fails, Gatling exits 2, Maven exits non-zero.
        cmd.addAll(props(runDir, "0"));
        int code = run(cmd, tmp.resolve("mvn.log"));
        String log = Files.readString(tmp.resolve("mvn.log"));
        assertThat(code).as(log).isNotZero();
        assertThat(log).contains("95th percentile of response time is less than 0.0 : false");
        assertThat(received.get()).isEqualTo(40);
    }

    private static int run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("finished in time").isTrue();
            return p.exitValue();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
