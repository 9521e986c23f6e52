package io.stampede.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What decides whether the Grafana dashboards work, without Grafana (not packaged here): their
 * JSON has the shape Grafana loads (a datasource variable every panel and annotation uses, unique
 * panel ids, grid positions), they hold every PromQL expression of the reference scenario, and
 * every panel and annotation query, run against a real Prometheus scraping the whole stack under
 * {@code ./stampede up} while a backpressure and a duplicate_messages experiment run, returns at
 * least one finite value ({@code $__rate_interval} as 1m). The query → series table is written to
 * {@code target/dashboard-queries.md}. Also {@code promtool check config} on the launcher's
 * Prometheus configuration, {@code check rules} and {@code test rules}.
 */
class DashboardQueriesTest {
    static final Path DASHBOARDS = LauncherStack.ROOT.resolve("deploy/grafana/dashboards");
    /** The reference scenario's "Monitoring During Tests" expressions, verbatim. */
    static final List<String> SEED_QUERIES = List.of(
            "rate(gateway_webhooks_received_total[5m])",
            "rate(mcp_signals_received_total[5m])",
            "rate(mcp_decisions_generated_total[5m])",
            "histogram_quantile(0.95, rate(mcp_processing_duration_seconds_bucket[5m]))",
            "rate(gateway_validation_errors_total[5m])",
            "rate(mcp_errors_total[5m])",
            "rate(container_cpu_usage_seconds_total[5m])",
            "container_memory_usage_bytes");
    static final ObjectMapper JSON = new ObjectMapper();

    static LauncherStack stack;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static boolean have(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    static void requireTool(String tool) {
        if (System.getenv("CI") != null) {
            assertThat(have(tool)).as(tool + " must be installed in CI (.ci/run installs Debian's prometheus)").isTrue();
        }
        Assumptions.assumeTrue(have(tool), tool + " not installed (apt-get install prometheus)");
    }

    @BeforeAll
    static void up() {
        requireTool("prometheus");
        stack = new LauncherStack();
        LauncherStack.Run up = stack.run(Duration.ofSeconds(180), Map.of("STAMPEDE_PROMETHEUS", "on", "STAMPEDE_BASELINE", "on"), "up");
        assertThat(up.exitCode()).as("up:\n%s%s", up.output(), stack.logs()).isZero();
        assertThat(up.output()).containsPattern("(?m)^prometheus\\s+\\d+\\s.*\\bhealthy\\b");
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.down();
        }
    }

    /** Every expr of every panel target and annotation, in file order, per dashboard. */
    static Map<String, List<String>> dashboardQueries() throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (var files = Files.list(DASHBOARDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                List<String> exprs = new ArrayList<>();
                JSON.readTree(f.toFile()).findValues("expr").forEach(n -> exprs.add(n.asText()));
                out.put(f.getFileName().toString(), exprs);
            }
        }
        return out;
    }

    @Test
    void dashboardsLoadWithADatasourceVariableAndHoldEverySeedQuery() throws IOException {
        Map<String, List<String>> all = dashboardQueries();
        assertThat(all.keySet()).containsExactly("chaos-testing.json", "golden-path.json", "system-health.json");
        for (String name : all.keySet()) {
            JsonNode d = JSON.readTree(DASHBOARDS.resolve(name).toFile());
            assertThat(d.path("uid").asText()).as(name).isNotBlank();
            assertThat(d.path("schemaVersion").asInt()).as(name).isGreaterThanOrEqualTo(36);
            JsonNode var = d.path("templating").path("list").get(0);
            assertThat(var.path("type").asText()).as(name + " datasource variable").isEqualTo("datasource");
            assertThat(var.path("query").asText()).as(name).isEqualTo("prometheus");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : d.path("panels")) {
                assertThat(ids.add(p.path("id").asInt())).as(name + " unique panel id " + p.path("id")).isTrue();
                assertThat(p.has("gridPos")).as(name + " " + p.path("title")).isTrue();
                if (p.path("type").asText().equals("row")) {
                    continue;
                }
                assertThat(p.path("datasource").path("uid").asText()).as(name + " " + p.path("title")).isEqualTo("${datasource}");
                assertThat(p.path("targets").size()).as(name + " " + p.path("title")).isPositive();
                for (JsonNode t : p.path("targets")) {
                    assertThat(t.path("datasource").path("uid").asText()).as(name + " " + p.path("title")).isEqualTo("${datasource}");
                }
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                if (a.has("expr")) {
                    assertThat(a.path("datasource").path("uid").asText()).as(name + " annotation").isEqualTo("${datasource}");
                }
            }
        }
        List<String> exprs = all.values().stream().flatMap(List::stream).toList();
        for (String seed : SEED_QUERIES) {
            assertThat(exprs).as("a panel holds the seed's " + seed).anyMatch(e -> e.contains(seed));
        }
        assertThat(exprs).as("fault windows as annotations").contains("stampede_fault_active == 1");
    }

    @Test
    void promtoolAcceptsTheConfigurationAndTheRules() throws Exception {
        requireTool("promtool");
        Path cfg = stack.varDir.resolve("run/prometheus.yml");
        assertThat(promtool("check", "config", cfg.toString())).isZero();
        assertThat(promtool("check", "config", LauncherStack.ROOT.resolve("deploy/prometheus/prometheus.yml").toString())).isZero();
        assertThat(promtool("check", "rules", LauncherStack.ROOT.resolve("deploy/prometheus/rules/stampede.rules.yml").toString())).isZero();
        assertThat(promtool("test", "rules", LauncherStack.ROOT.resolve("deploy/prometheus/tests/rules.test.yml").toString())).isZero();
    }

    static int promtool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        System.out.printf("$ %s -> %d%n%s%n", String.join(" ", cmd), p.exitValue(), out);
        return p.exitValue();
    }

    @Test
    void everyPanelQueryReturnsDataWhileABackpressureAndADuplicateExperimentRun() throws Exception {
        for (String body : List.of("{\"type\": \"backpressure\", \"rate_multiplier\": 3, \"duration_s\": 90}",
                "{\"type\": \"duplicate_messages\", \"duplicate_rate\": 0.2, \"duration_s\": 90}")) {
            var r = stack.post(stack.stampedePort, "/experiments", body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
        // both fault windows scraped, and a 1m rate window with samples on either side of the start
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (query("stampede_fault_active == 1").size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(query("stampede_fault_active == 1")).as("both faults seen applied by Prometheus").hasSize(2);
        Thread.sleep(15_000);

        Map<String, List<String>> all = new LinkedHashMap<>();
        all.put("seed (Monitoring During Tests)", SEED_QUERIES);
        all.putAll(dashboardQueries());
        StringBuilder table = new StringBuilder("| source | query ($__rate_interval = 1m) | series | values |\n| --- | --- | --- | --- |\n");
        List<String> empty = new ArrayList<>();
        for (var e : all.entrySet()) {
            for (String expr : new java.util.LinkedHashSet<>(e.getValue())) {
                String q = expr.replace("$__rate_interval", "1m").replace("$__interval", "5s");
                List<JsonNode> result = query(q);
                List<String> values = result.stream().map(n -> n.path("value").get(1).asText()).toList();
                table.append("| ").append(e.getKey()).append(" | `").append(q.replace("|", "\\|")).append("` | ")
                        .append(result.size()).append(" | ").append(String.join(", ", values.subList(0, Math.min(4, values.size()))))
                        .append(values.size() > 4 ? ", …" : "").append(" |\n");
                if (result.isEmpty() || values.stream().anyMatch(v -> v.equals("NaN") || v.contains("Inf"))) {
                    empty.add(e.getKey() + ": " + q + " -> " + values);
                }
            }
        }
        Path out = LauncherStack.ROOT.resolve("launcher-it/target/dashboard-queries.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString());
        System.out.println(table);
        assertThat(empty).as("queries without a finite value (table in %s)", out).isEmpty();
    }

    /** The instant vector Prometheus answers; fails on a query error. */
    static List<JsonNode> query(String promql) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + stack.prometheusPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("status").asText()).as(promql + " -> " + r.body()).isEqualTo("success");
        List<JsonNode> out = new ArrayList<>();
        body.path("data").path("result").forEach(out::add);
        return out;
    }
}
