package io.stampede.chaos.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12: the chaos API tags baseline messages with every experiment active at their turn, of
 * any type, through {@link BaselineTraffic#tag}; a tag given before the generator connected is
 * applied from its first message. Real nats-server, real baseline generator (JetStream mode).
 */
@Timeout(60)
class BaselineTaggingTest {

    @Test
    void baselineOriginalsCarryTheTaggedExperimentsAndATagBeforeConnectingIsKept() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").build());
            Map<String, AtomicLong> byHeader = new ConcurrentHashMap<>();
            Dispatcher d = c.createDispatcher(m -> {
                String h = m.getHeaders() == null ? null : m.getHeaders().getFirst("Stampede-Experiment");
                byHeader.computeIfAbsent(h == null ? "" : h, k -> new AtomicLong()).incrementAndGet();
            });
            d.subscribe("signals.>");
            c.flush(Duration.ofSeconds(5));

            ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 1.0).withBaseline(200);
            try (BaselineTraffic traffic = BaselineTraffic.start(cfg)) {
                traffic.tag("chaos_service_failure_1"); // most likely before the generator connected
                Await.until("baseline connected", Duration.ofSeconds(20), () -> traffic.generator() != null);
                Await.until("tagged originals", Duration.ofSeconds(10), () -> byHeader.containsKey("chaos_service_failure_1"));
                traffic.tag("chaos_nats_latency_2");
                Await.until("both ids", Duration.ofSeconds(10),
                        () -> byHeader.containsKey("chaos_service_failure_1,chaos_nats_latency_2"));
                traffic.untag("chaos_service_failure_1");
                traffic.untag("chaos_nats_latency_2");
                traffic.untag("chaos_nats_latency_2"); // idempotent
                long untaggedBefore = byHeader.getOrDefault("", new AtomicLong()).get();
                Await.until("untagged again", Duration.ofSeconds(10),
                        () -> byHeader.getOrDefault("", new AtomicLong()).get() > untaggedBefore + 50);
                assertThat(traffic.generator().experimentIds()).isEmpty();
                var exps = traffic.generator().stats().experiments();
                assertThat(exps.get("chaos_service_failure_1").sent()).isPositive();
                assertThat(exps.get("chaos_nats_latency_2").sent()).isPositive();
            }
            assertThat(byHeader.keySet()).isSubsetOf("", "chaos_service_failure_1", "chaos_service_failure_1,chaos_nats_latency_2");
        }
    }
}
