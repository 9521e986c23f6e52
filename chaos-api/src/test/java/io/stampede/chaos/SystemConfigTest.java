package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stampede.loadgen.IdSource;
import io.stampede.loadgen.PublishMode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos API's configuration from a system file: the file wins over every demo default, an
 * environment variable overrides one named key only when set, and an invalid (or not yet
 * supported) file stops the start with every problem listed.
 */
class SystemConfigTest {
    private static final String ORDERS = """
            name: orders
            nats: {url: "nats://127.0.0.1:14222", monitor_url: "http://127.0.0.1:18222"}
            traffic:
              rate: 50
              subject: "orders.in.{symbol}"
              symbols: [eu, us]
              mode: core
              body: 'order {seq}'
              id: "header:Order-Id"
            outcomes: {subject: "orders.done", id: "header:Order-Id"}
            metrics:
              scrape: ["http://127.0.0.1:19100/metrics"]
              errors: [orders_failed_total]
              requests: [orders_received_total]
              processed: [orders_processed_total]
            """;

    @TempDir
    Path dir;

    private Map<String, String> env(String system, String... more) throws Exception {
        Path f = dir.resolve("system.yaml");
        Files.writeString(f, system);
        Map<String, String> env = new HashMap<>(Map.of("STAMPEDE_SYSTEM", f.toString(), "STAMPEDE_DATA_DIR", dir.toString()));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void theFileWinsOverEveryDemoDefault() throws Exception {
        ChaosConfig cfg = ChaosConfig.fromEnv(env(ORDERS));
        assertThat(cfg.natsUrl()).isEqualTo("nats://127.0.0.1:14222");
        assertThat(cfg.baselineRate()).isEqualTo(50);
        SystemUnderTest sut = cfg.sut();
        assertThat(sut.subject()).isEqualTo("orders.in.{symbol}");
        assertThat(sut.symbols()).containsExactly("eu", "us");
        assertThat(sut.mode()).isEqualTo(PublishMode.CORE);
        assertThat(sut.shape().idHeader()).isEqualTo("Order-Id");
        assertThat(sut.verifier().subject()).isEqualTo("orders.done");
        assertThat(sut.verifier().idSource()).isEqualTo(IdSource.HEADER);
        assertThat(sut.verifier().sentAtField()).isNull();
        // no backlog, no targets, no http section: those features are off, never the demo's
        assertThat(cfg.sutStream()).isNull();
        assertThat(cfg.serviceTargets().targets()).isEmpty();
        assertThat(cfg.targets()).isEmpty();
        assertThat(cfg.webhookUrl()).isNull();
        assertThat(cfg.limits().loadTargets()).isEmpty();
        URI m = URI.create("http://127.0.0.1:19100/metrics");
        assertThat(cfg.errorMetrics()).containsExactly(new ChaosConfig.MetricRef(m, "orders_failed_total"));
        assertThat(cfg.requestMetrics()).containsExactly(new ChaosConfig.MetricRef(m, "orders_received_total"));
        assertThat(cfg.sutMetrics()).extracting(ChaosConfig.MetricRef::metric)
                .containsExactly("orders_received_total", "orders_processed_total", "orders_failed_total");
        assertThat(sut.overrides()).isEmpty();
        Map<String, Object> view = sut.view(cfg);
        assertThat(view).containsEntry("name", "orders").containsEntry("backlog_watched", null);
        assertThat(view.toString()).doesNotContain("signals").doesNotContain("decisions").doesNotContain("8001");
    }

    @Test
    void anEnvironmentVariableOverridesOneNamedKeyAndSaysSo() throws Exception {
        ChaosConfig cfg = ChaosConfig.fromEnv(env(ORDERS, "STAMPEDE_NATS_URL", "nats://127.0.0.1:24222",
                "STAMPEDE_BASELINE_RATE", "7", "STAMPEDE_SUT_STREAM", "ORDERS", "STAMPEDE_SUT_CONSUMER", "worker"));
        assertThat(cfg.natsUrl()).isEqualTo("nats://127.0.0.1:24222");
        assertThat(cfg.baselineRate()).isEqualTo(7);
        assertThat(cfg.sutStream()).isEqualTo("ORDERS");
        assertThat(cfg.sutConsumer()).isEqualTo("worker");
        assertThat(cfg.sut().overrides()).containsEntry("nats.url", "STAMPEDE_NATS_URL")
                .containsEntry("traffic.rate", "STAMPEDE_BASELINE_RATE").containsEntry("backlog.stream", "STAMPEDE_SUT_STREAM");
        Map<String, Object> view = cfg.sut().view(cfg);
        assertThat(((Map<?, ?>) view.get("nats")).get("url")).isEqualTo("nats://127.0.0.1:24222");
        assertThat(((Map<?, ?>) view.get("traffic")).get("rate")).isEqualTo(7.0);
    }

    @Test
    void withoutAFileTheDemosOwnFileFollowsTheLaunchersPorts() {
        ChaosConfig cfg = ChaosConfig.fromEnv(Map.of("STAMPEDE_DATA_DIR", dir.toString(), "NATS_PORT", "14999",
                "GATEWAY_PORT", "18111", "AGENT_PORT", "18222", "STAMPEDE_HOME", dir.toString()));
        assertThat(cfg.sut().file().name()).isEqualTo("demo");
        assertThat(cfg.natsUrl()).isEqualTo("nats://127.0.0.1:14999");
        assertThat(cfg.sut().subject()).isEqualTo("signals.{symbol}");
        assertThat(cfg.sut().verifier().subject()).isEqualTo("decisions.>");
        assertThat(cfg.sutStream()).isEqualTo("SIGNALS");
        assertThat(cfg.targets()).containsEntry("gateway", URI.create("http://127.0.0.1:18111/healthz"))
                .containsEntry("agent", URI.create("http://127.0.0.1:18222/healthz"));
        assertThat(cfg.webhookUrl()).isEqualTo("http://127.0.0.1:18111/webhook");
        assertThat(cfg.sutMetrics()).extracting(r -> r.url() + "#" + r.metric())
                .contains("http://127.0.0.1:18111/metrics#gateway_webhooks_received_total",
                        "http://127.0.0.1:18222/metrics#mcp_decisions_generated_total");
        assertThat(cfg.sut().systemPath()).as("the built-in demo: load tests post the demo's webhook").isNull();
    }

    @Test
    void anInvalidFileStopsTheStartWithEveryProblem() throws Exception {
        Map<String, String> bad = env(ORDERS.replace("rate: 50", "rate: fast").replace("header:Order-Id\"\noutcomes", "body:x\"\noutcomes"));
        assertThatThrownBy(() -> ChaosConfig.fromEnv(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("traffic.rate: expected a number").hasMessageContaining("traffic.id: expected json:<path> or header:<name>");
        assertThatThrownBy(() -> ChaosConfig.fromEnv(env(ORDERS.replace("mode: core", "mode: core\n  via: http"))))
                .hasMessageContaining("traffic.via");
        assertThatThrownBy(() -> ChaosConfig.fromEnv(Map.of("STAMPEDE_SYSTEM", dir.resolve("missing.yaml").toString())))
                .hasMessageContaining("cannot read the file");
    }

    @Test
    void aLoadTestNeedsATargetWhenTheFileHasNoHttpSection() throws Exception {
        ChaosConfig cfg = ChaosConfig.fromEnv(env(ORDERS));
        var result = new io.stampede.chaos.experiment.SpecCodec(cfg.limits())
                .parse(new io.vertx.core.json.JsonObject("{\"type\":\"load_test\",\"rps\":5,\"duration_s\":10}"));
        assertThat(result.ok()).isFalse();
        assertThat(result.problems().toString()).contains("target_url").contains("required");
    }
}
