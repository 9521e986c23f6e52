package io.stampede.loadgen.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.RunResult;
import io.stampede.loadgen.cli.LoadgenCli;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunReader;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.NatsServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Agent JVMs (`loadgen agent`) against a real nats-server, coordinated in this JVM. */
class AgentsTest {
    private static final int RATE = 12_000;

    @Test
    @Timeout(90)
    void threeAgentsMergeExactlyKeepTheAskedRateAndAllApplyAMultiplierWithin100ms(@TempDir Path dir) throws Exception {
        int n = 3;
        try (NatsServer nats = NatsServer.start(); Agents agents = Agents.start(nats.url(), n);
             Connection sub = Nats.connect(nats.url())) {
            // an independent subscriber: every message, its agent (seq mod n), when the multiplier's header first shows
            Map<Long, Boolean> seen = new ConcurrentHashMap<>();
            AtomicLong received = new AtomicLong();
            AtomicLong windowCount = new AtomicLong();
            AtomicLong windowFrom = new AtomicLong(Long.MAX_VALUE);
            AtomicLong windowTo = new AtomicLong(Long.MAX_VALUE);
            AtomicLongArray firstTagged = new AtomicLongArray(n);
            Dispatcher d = sub.createDispatcher(m -> {
                long now = System.nanoTime();
                long seq = seqOf(m.getData());
                seen.put(seq, Boolean.TRUE);
                received.incrementAndGet();
                if (now >= windowFrom.get() && now < windowTo.get()) {
                    windowCount.incrementAndGet();
                }
                Headers h = m.getHeaders();
                if (h != null && "m1".equals(h.getFirst("Stampede-Experiment"))) {
                    firstTagged.compareAndSet((int) (seq % n), 0, now);
                }
            });
            d.subscribe("signals.>");
            sub.flush(Duration.ofSeconds(2));

            LoadGenConfig cfg = LoadGenConfig.builder(nats.url()).baselineRate(RATE).payloadSize(128)
                    .duration(Duration.ofSeconds(5)).runDir(dir.resolve("agents-run")).build();
            RunResult r;
            long pushNanos;
            Duration pushTook;
            try (Coordinator c = new Coordinator(cfg, n).connect()) {
                List<Coordinator.AgentRef> refs = c.awaitAgents(Duration.ofSeconds(30));
                assertThat(refs).extracting(Coordinator.AgentRef::name).containsExactlyInAnyOrder("a0", "a1", "a2");
                c.start(refs);
                long startNanos = System.nanoTime() + (c.startAtMs() - System.currentTimeMillis()) * 1_000_000;
                windowFrom.set(startNanos + 1_000_000_000L);
                windowTo.set(startNanos + 2_400_000_000L);
                sleepUntil(startNanos + 2_500_000_000L);
                pushNanos = System.nanoTime();
                pushTook = c.addMultiplier("m1", 2);
                r = c.awaitEnd(Duration.ofSeconds(10));
            }
            sub.flush(Duration.ofSeconds(5));
            Thread.sleep(200);

            // merged = sum of the agents', one entry per agent
            assertThat(r.degraded()).isFalse();
            assertThat(r.agents()).hasSize(n).allSatisfy(a -> assertThat(a.sent()).isGreaterThan(0));
            assertThat(r.sent()).isEqualTo(r.agents().stream().mapToLong(RunResult.Agent::sent).sum());
            assertThat(r.lateness().count()).isEqualTo(r.agents().stream().mapToLong(a -> a.lateness().count()).sum())
                    .isEqualTo(r.sent());
            assertThat(r.failed()).isZero();
            // every message once, and the subscriber saw exactly what the agents reported
            assertThat(received.get()).isEqualTo(r.sent());
            assertThat(seen).hasSize((int) r.sent());
            // the merged schedule is the asked rate (before the change)
            double rate = windowCount.get() / 1.4;
            assertThat(rate).as("merged rate").isCloseTo(RATE, org.assertj.core.data.Percentage.withPercentage(1));
            StringBuilder report = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "merge: sent %d = %s; lateness count %d; rate %.1f msg/s (asked %d); push took %d ms; first m1 message after push:",
                    r.sent(), r.agents().stream().map(a -> Long.toString(a.sent())).toList(), r.lateness().count(), rate, RATE,
                    pushTook.toMillis()));
            for (int i = 0; i < n; i++) {
                report.append(String.format(java.util.Locale.ROOT, " agent%d %.1f ms", i, (firstTagged.get(i) - pushNanos) / 1e6));
            }
            System.out.println(report);
            // the multiplier reached every agent within 100 ms of the push
            for (int i = 0; i < n; i++) {
                long t = firstTagged.get(i);
                assertThat(t).as("agent %d tagged", i).isNotZero();
                assertThat((t - pushNanos) / 1e6).as("agent %d: ms from push to its first m1 message (push took %s)", i, pushTook)
                        .isLessThan(100);
            }
            // one run record: merged hlog = sum of the agents' tagged intervals; counters summed
            RunReader rr = RunReader.open(dir.resolve("agents-run"));
            Histogram merged = rr.series("lateness").orElseThrow().merged();
            assertThat(merged.getTotalCount()).isEqualTo(r.sent());
            long tagged = 0;
            for (RunResult.Agent a : r.agents()) {
                tagged += rr.series("lateness").orElseThrow().merged(Coordinator.AGENT_TAG_PREFIX + a.name()).getTotalCount();
            }
            assertThat(tagged).isEqualTo(r.sent());
            CounterRecord last = rr.summary().orElseThrow().counters().stream()
                    .filter(c -> c.source().equals("loadgen")).findFirst().orElseThrow();
            assertThat(last.values()).containsEntry("sent", r.sent());
            assertThat(rr.summary().orElseThrow().completed()).isTrue();
        }
    }

    @Test
    @Timeout(90)
    void anAgentKilledMidRunIsNamedAndTheRunDegraded(@TempDir Path dir) throws Exception {
        try (NatsServer nats = NatsServer.start(); Agents agents = Agents.start(nats.url(), 2)) {
            LoadGenConfig cfg = LoadGenConfig.builder(nats.url()).baselineRate(2000).payloadSize(128)
                    .duration(Duration.ofSeconds(5)).runDir(dir.resolve("killed")).build();
            RunResult r;
            try (Coordinator c = new Coordinator(cfg, 2).staleAfter(Duration.ofMillis(1500)).connect()) {
                c.start(c.awaitAgents(Duration.ofSeconds(30)));
                long startNanos = System.nanoTime() + (c.startAtMs() - System.currentTimeMillis()) * 1_000_000;
                sleepUntil(startNanos + 2_000_000_000L);
                agents.get(1).kill9();
                r = c.awaitEnd(Duration.ofSeconds(10));
            }
            assertThat(r.degraded()).isTrue();
            assertThat(r.missing()).containsExactly("a1");
            RunResult.Agent killed = r.agents().stream().filter(a -> a.name().equals("a1")).findFirst().orElseThrow();
            RunResult.Agent alive = r.agents().stream().filter(a -> a.name().equals("a0")).findFirst().orElseThrow();
            assertThat(killed.missing()).isTrue();
            assertThat(killed.sent()).as("its share up to the kill stays counted").isBetween(1500L, 4500L);
            assertThat(alive.missing()).isFalse();
            assertThat(alive.sent()).isEqualTo(5000);
            assertThat(r.sent()).isEqualTo(killed.sent() + alive.sent());
            RunReader rr = RunReader.open(dir.resolve("killed"));
            assertThat(rr.timeline()).anySatisfy(e -> {
                assertThat(e.event()).isEqualTo("agent_missing");
                assertThat(e.data()).containsEntry("agent", "a1");
            });
            assertThat(rr.summary().orElseThrow().completed()).isFalse();
            assertThat(rr.run().orElseThrow().params()).containsEntry("degraded", true);
        }
    }

    private static long seqOf(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 40), StandardCharsets.US_ASCII);
        int dash = s.indexOf('-');
        return Long.parseLong(s.substring(dash + 1, dash + 11));
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long ms = (nanos - System.nanoTime()) / 1_000_000;
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    /** Agent JVMs named a0, a1, ... */
    static final class Agents implements AutoCloseable {
        private final List<ChildJvm> jvms = new ArrayList<>();

        static Agents start(String url, int n) {
            Agents a = new Agents();
            for (int i = 0; i < n; i++) {
                a.jvms.add(ChildJvm.start(LoadgenCli.class, Map.of(), "agent", "--nats-url", url, "--name", "a" + i));
            }
            return a;
        }

        ChildJvm get(int i) {
            return jvms.get(i);
        }

        @Override
        public void close() {
            for (ChildJvm j : jvms) {
                j.close();
            }
        }
    }
}
