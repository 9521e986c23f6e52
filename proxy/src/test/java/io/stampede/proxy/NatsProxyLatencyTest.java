package io.stampede.proxy;

import io.stampede.proxy.api.ProxyFault;
import io.stampede.testkit.NatsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Real nats-server, real jnats publisher and subscriber, both connected through the proxy:
 * publish→subscribe latency moves by the configured delay and back, nothing lost or reordered.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NatsProxyLatencyTest {
    private static final double TOLERANCE_MS = 2.0;
    private static NatsServer nats;
    private NatsProxy proxy;
    private LatencyProbe probe;
    private double baseline;

    @BeforeAll
    static void startNats() {
        nats = NatsServer.start();
    }

    @AfterAll
    static void stopNats() {
        nats.close();
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()));
        String url = "nats://127.0.0.1:" + proxy.listenPort();
        probe = new LatencyProbe(url, url, "probe." + System.nanoTime());
        probe.run(200, 1000); // warm up JIT on both sides
        baseline = probe.run(100, 100).p50Ms();
    }

    @AfterEach
    void stopProxy() throws Exception {
        if (probe != null) {
            assertThat(probe.badOrder()).as("messages out of order").isZero();
            assertThat(probe.badContent()).as("messages altered").isZero();
            assertThat(probe.received()).as("messages lost").isEqualTo(probe.published());
            probe.close();
        }
        proxy.close();
    }

    private static ProxyFault delay(int ms, double jitter, ProxyFault.Direction d) {
        return new ProxyFault(ms, jitter, d, 0, false, null);
    }

    @Test
    void delayAddsToPublishSubscribeLatencyFaultsAddAndRevertRestoresBaseline() {
        proxy.putFault("a", delay(30, 0, ProxyFault.Direction.TO_SERVER));
        assertThat(probe.run(60, 100).p50Ms()).isCloseTo(baseline + 30, within(TOLERANCE_MS));

        proxy.putFault("b", delay(20, 0, ProxyFault.Direction.TO_SERVER));
        assertThat(probe.run(60, 100).p50Ms()).as("two faults add").isCloseTo(baseline + 50, within(TOLERANCE_MS));

        proxy.removeFault("a");
        assertThat(probe.run(60, 100).p50Ms()).as("removing one removes its share")
                .isCloseTo(baseline + 20, within(TOLERANCE_MS));

        assertThat(proxy.removeFault("b")).isTrue();
        assertThat(proxy.removeFault("b")).as("idempotent").isFalse();
        assertThat(probe.run(60, 100).p50Ms()).as("back to baseline").isCloseTo(baseline, within(TOLERANCE_MS));
        assertThat(proxy.stats().getJsonObject("delay_lateness_us").getJsonObject("to_server").getLong("count"))
                .isPositive();
    }

    @Test
    void bothDirectionsDelaysDeliveriesToSubscribersToo() {
        proxy.putFault("both", delay(25, 0, ProxyFault.Direction.BOTH));
        assertThat(probe.run(60, 100).p50Ms()).isCloseTo(baseline + 50, within(TOLERANCE_MS));
        proxy.removeFault("both");
        assertThat(probe.run(60, 100).p50Ms()).isCloseTo(baseline, within(TOLERANCE_MS));
    }

    @Test
    void jitterSpreadsDelaysUniformlyAroundTheDelay() {
        proxy.putFault("j", delay(40, 0.5, ProxyFault.Direction.TO_SERVER)); // 20..60 ms
        LatencyProbe.Sample s = probe.run(150, 50);
        assertThat(s.minMs()).as(s.toString()).isGreaterThanOrEqualTo(baseline + 20 - 1);
        // a stall of this shared box (or a GC pause of this JVM, which hosts the proxy here) may
        // push a few messages beyond the range: judge the bulk, not the maximum
        assertThat(s.percentileMs(95)).as(s.toString()).isLessThanOrEqualTo(baseline + 60 + 4);
        // uniform over 40 ms: p90 - p10 = 32 ms; order keeping narrows the low side a little
        assertThat(s.percentileMs(90) - s.percentileMs(10)).as(s.toString()).isBetween(22.0, 40.0);
        assertThat(s.p50Ms()).as(s.toString()).isCloseTo(baseline + 40, within(5.0));
    }

    @Test
    void nothingLostOrReorderedWhileFaultsComeAndGo() throws Exception {
        Thread publisher = new Thread(() -> probe.publishPaced(1000, 500), "publisher");
        publisher.start();
        Thread.sleep(300);
        proxy.putFault("x", delay(50, 0.2, ProxyFault.Direction.BOTH));
        Thread.sleep(500);
        assertThat(proxy.stats().getLong("queued_bytes")).as("bytes held while delayed").isPositive();
        proxy.removeFault("x");
        Thread.sleep(200);
        proxy.putFault("y", delay(20, 0, ProxyFault.Direction.TO_SERVER));
        publisher.join(10_000);
        proxy.removeFault("y");
        probe.awaitReceived(probe.published(), Duration.ofSeconds(10));
        // stopProxy() checks count, order and content
    }
}
