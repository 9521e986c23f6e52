package io.stampede.chaos.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.loadgen.LoadGenerator;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The always-on baseline keeps a bounded number of experiment windows and per-experiment counters. */
class BaselineBoundsTest {
    @Test
    void closedWindowsAndPerExperimentCountersAreBounded() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            try (var c = Nats.connect(nats.url())) {
                c.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").build());
            }
            ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 1.0).withBaseline(50);
            try (BaselineTraffic t = BaselineTraffic.start(cfg)) {
                Await.until("baseline running", Duration.ofSeconds(20), () -> t.generator() != null);
                LoadGenerator g = t.generator();
                int n = BaselineTraffic.MAX_CLOSED_WINDOWS + 150;
                for (int i = 0; i < n; i++) {
                    String id = "chaos_backpressure_" + (1_000_000 + i);
                    t.opened(id);
                    g.addMultiplier(id, 1.0);
                    g.removeMultiplier(id);
                    t.closed(id);
                }
                assertThat(t.windowsKept()).isEqualTo(BaselineTraffic.MAX_CLOSED_WINDOWS);
                assertThat(g.trackedExperiments()).isLessThanOrEqualTo(BaselineTraffic.MAX_CLOSED_WINDOWS);
                // the newest are the ones kept
                assertThat(t.stats("chaos_backpressure_" + (1_000_000 + n - 1)).getJsonObject("experiment").containsKey("originals_during")).isTrue();
                assertThat(t.stats("chaos_backpressure_1000000").getJsonObject("experiment").containsKey("originals_during")).isFalse();
            }
        }
    }
}
