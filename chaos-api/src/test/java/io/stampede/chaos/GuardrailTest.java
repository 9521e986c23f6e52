package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** abort_if: error rate from the system's Prometheus counters, and target downtime. */
class GuardrailTest {

    @Test
    void errorRateAbortsAndReverts() throws Exception {
        AtomicLong errors = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        MetricsPageServer sut = new MetricsPageServer(() -> "# TYPE app_errors_total counter\napp_errors_total{kind=\"a\"} "
                + errors.get() + ".0\napp_requests_total " + requests.get() + ".0\n");
        String base = sut.base();
        try (ApiFixture fx = ApiFixture.start(0.1, c -> c.withMetrics(
                Map.of("gateway", URI.create(base + "/healthz"), "agent", URI.create(base + "/healthz")),
                List.of(new ChaosConfig.MetricRef(URI.create(base + "/metrics"), "app_errors_total")),
                List.of(new ChaosConfig.MetricRef(URI.create(base + "/metrics"), "app_requests_total"))))) {
            String id = fx.client.postJson("/experiments",
                    "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":600,\"abort_if\":{\"error_rate_pct\":5,\"window_s\":10}}")
                    .json().getString("experiment_id");
            Await.until("running", Duration.ofSeconds(5), () -> fx.client.get("/experiments/" + id).json().getString("status").equals("running"));
            // healthy traffic: 1 % errors, below the threshold
            for (int i = 0; i < 10; i++) {
                requests.addAndGet(100);
                errors.addAndGet(1);
                Thread.sleep(100);
            }
            assertThat(fx.client.get("/experiments/" + id).json().getString("status")).isEqualTo("running");
            // then 20 % errors
            requests.addAndGet(100);
            errors.addAndGet(20);
            Await.until("aborted", Duration.ofSeconds(5), () -> fx.client.get("/experiments/" + id).json().getString("status").equals("aborted"));
            JsonObject e = fx.client.get("/experiments/" + id).json();
            assertThat(e.getString("reason")).startsWith("guardrail: error rate");
            assertThat(e.getString("fault")).isEqualTo("reverted");
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
            assertThat(LifecycleTest.lines(java.nio.file.Path.of(e.getString("run_dir")).resolve("timeline.jsonl"))).contains("guardrail_fired");
        } finally {
            sut.close();
        }
    }

    @Test
    void targetDownAborts() {
        // the fixture's agent health URL points at a closed port: down from the start
        try (ApiFixture fx = ApiFixture.start(0.1)) {
            String id = fx.client.postJson("/experiments",
                    "{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":600,\"abort_if\":{\"target_down_s\":{\"agent\":2}}}")
                    .json().getString("experiment_id");
            Await.until("aborted", Duration.ofSeconds(5), () -> fx.client.get("/experiments/" + id).json().getString("status").equals("aborted"));
            JsonObject e = fx.client.get("/experiments/" + id).json();
            assertThat(e.getString("reason")).isEqualTo("guardrail: target agent down for 2 s");
            assertThat(e.getJsonObject("abort_if").getJsonObject("target_down_s").getInteger("agent")).isEqualTo(2);
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
        }
    }

    /**
     * The agent crashes during the experiment: its metrics page is unreachable for a while (a gap,
     * not zeros), then its counters restart from 0 with most requests failing. The guardrail must
     * see that error rate, as Prometheus' increase() would, not a negative delta.
     */
    @Test
    void scrapeGapsAreGapsAndCounterResetsAreRestarts() throws Exception {
        AtomicLong errors = new AtomicLong(1_000);
        AtomicLong requests = new AtomicLong(100_000);
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
        MetricsPageServer sut = new MetricsPageServer(() -> down.get() ? null
                : "app_errors_total " + errors.get() + ".0\napp_requests_total " + requests.get() + ".0\n");
        String base = sut.base();
        try (ApiFixture fx = ApiFixture.start(0.1, c -> c.withMetrics(
                Map.of("gateway", URI.create(base + "/healthz"), "agent", URI.create(base + "/healthz")),
                List.of(new ChaosConfig.MetricRef(URI.create(base + "/metrics"), "app_errors_total")),
                List.of(new ChaosConfig.MetricRef(URI.create(base + "/metrics"), "app_requests_total"))))) {
            String id = fx.client.postJson("/experiments",
                    "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":600,\"abort_if\":{\"error_rate_pct\":5,\"window_s\":100}}")
                    .json().getString("experiment_id");
            Await.until("running", Duration.ofSeconds(5), () -> fx.client.get("/experiments/" + id).json().getString("status").equals("running"));
            for (int i = 0; i < 5; i++) {
                requests.addAndGet(100);
                errors.addAndGet(1);
                Thread.sleep(100);
            }
            // the crash: no page for a while — the old code read it as 0 errors / 0 requests
            down.set(true);
            Thread.sleep(500);
            assertThat(fx.client.get("/experiments/" + id).json().getString("status")).as("a gap is no signal").isEqualTo("running");
            // restarted: counters from 0, 40 % of the requests failing since
            errors.set(40);
            requests.set(100);
            down.set(false);
            Await.until("aborted on the restarted counters", Duration.ofSeconds(5),
                    () -> fx.client.get("/experiments/" + id).json().getString("status").equals("aborted"));
            assertThat(fx.client.get("/experiments/" + id).json().getString("reason")).startsWith("guardrail: error rate");
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
        } finally {
            sut.close();
        }
    }
}
