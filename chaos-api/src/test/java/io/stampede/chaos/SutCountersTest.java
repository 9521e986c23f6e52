package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunReader;
import io.stampede.testkit.Await;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The SUT's own counters go into a running experiment's counters.jsonl once a second; a page that is down is a gap. */
class SutCountersTest {
    @Test
    void sutCountersAreSampledIntoTheRunRecordWithGaps() throws Exception {
        AtomicLong decisions = new AtomicLong();
        AtomicBoolean down = new AtomicBoolean();
        MetricsPageServer sut = new MetricsPageServer(() -> down.get() ? null
                : "mcp_decisions_generated_total " + decisions.addAndGet(10) + ".0\ngateway_webhooks_received_total 7.0\n");
        String base = sut.base();
        try (ApiFixture fx = ApiFixture.start(1.0, c -> c.withMetrics(
                Map.of("gateway", URI.create(base + "/healthz"), "agent", URI.create(base + "/healthz")), List.of(), List.of()))) {
            String id = fx.client.postJson("/experiments", "{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":600}")
                    .json().getString("experiment_id");
            Path run = Path.of(fx.client.get("/experiments/" + id).json().getString("run_dir"));
            Await.until("sut samples", Duration.ofSeconds(10), () -> sut(run).size() >= 3);
            down.set(true);
            int before = sut(run).size();
            Await.until("samples while the page is down", Duration.ofSeconds(10), () -> sut(run).size() >= before + 2);
            down.set(false);
            Await.until("back", Duration.ofSeconds(10), () -> sut(run).size() >= before + 4);
            List<CounterRecord> all = sut(run);
            assertThat(all.get(0).values()).containsKeys("mcp_decisions_generated_total", "gateway_webhooks_received_total");
            assertThat(all).as("a down page leaves its metrics out, never zeros")
                    .anySatisfy(r -> assertThat(r.values()).doesNotContainKey("mcp_decisions_generated_total"));
            assertThat(all).allSatisfy(r -> assertThat(r.values().getOrDefault("mcp_decisions_generated_total", 1).doubleValue()).isPositive());
            fx.client.delete("/experiments/" + id);
        } finally {
            sut.close();
        }
    }

    static List<CounterRecord> sut(Path run) {
        return RunReader.open(run).counters().stream().filter(r -> "sut".equals(r.source())).toList();
    }
}
