package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunReader;
import io.stampede.testkit.NatsServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * counters.jsonl keeps reports/README.md's rule for source {@code verifier}: a name without a unit
 * or {@code _now} suffix is a cumulative counter and never decreases (a decrease means a restart to
 * {@code CounterRate}). The live lost count goes up and back down when a late outcome arrives, so
 * it is the gauge {@code lost_now}: here one outcome comes 2.5 s late with a grace of 1 s, and
 * {@code lost_now} goes 1 → 0 while every counter only grows.
 */
class VerifierCountersTest {
    @Test
    @Timeout(40)
    void liveLostIsAGaugeAndEveryVerifierCounterIsMonotonic(@TempDir Path dir) throws Exception {
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try (NatsServer nats = NatsServer.start(); Connection relay = Nats.connect(nats.url())) {
            Dispatcher d = relay.createDispatcher(m -> {
                String body = new String(m.getData(), StandardCharsets.US_ASCII);
                long seq = body.contains("\"seq\":") ? Long.parseLong(body.replaceAll("(?s).*\"seq\":\\s*(\\d+).*", "$1")) : -1;
                String out = "decisions." + m.getSubject().substring("signals.".length());
                byte[] data = m.getData();
                if (seq == 300) {
                    later.schedule(() -> relay.publish(out, data), 2500, TimeUnit.MILLISECONDS); // late, not lost
                } else {
                    relay.publish(out, data);
                }
            });
            d.setPendingLimits(-1, -1);
            d.subscribe("signals.>");
            relay.flush(Duration.ofSeconds(5));

            LoadGenConfig cfg = LoadGenConfig.builder(nats.url()).baselineRate(500).duration(Duration.ofSeconds(5)).runDir(dir)
                    .verifier(VerifierConfig.defaults().withGrace(Duration.ofSeconds(1))).build();
            try (LoadGenerator g = new LoadGenerator(cfg).start()) {
                assertThat(g.awaitScheduleEnd(Duration.ofSeconds(15))).isTrue();
                g.stop(Duration.ofSeconds(5));
            }
        } finally {
            later.shutdownNow();
        }
        List<CounterRecord> verifier = RunReader.open(dir).counters().stream()
                .filter(c -> c.source().equals("verifier")).toList();
        assertThat(verifier).hasSizeGreaterThanOrEqualTo(4);
        Map<String, Number> previous = new HashMap<>();
        long lostPeak = 0;
        for (CounterRecord c : verifier) {
            for (var e : c.values().entrySet()) {
                if (!CounterRecord.isGauge(e.getKey())) {
                    Number before = previous.get(e.getKey());
                    assertThat(e.getValue().doubleValue()).as("counter %s at %d (a decrease reads as a restart)", e.getKey(), c.tsMs())
                            .isGreaterThanOrEqualTo(before == null ? 0 : before.doubleValue());
                }
                previous.put(e.getKey(), e.getValue());
            }
            lostPeak = Math.max(lostPeak, c.values().get("lost_now").longValue());
        }
        assertThat(lostPeak).as("seq 300 counted lost while it was overdue past the grace").isEqualTo(1);
        assertThat(verifier.get(verifier.size() - 1).values().get("lost_now").longValue()).as("its late outcome arrived").isZero();
    }
}
