package io.stampede.loadgen.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.RunResult;
import io.stampede.loadgen.cli.LoadgenCli;
import io.stampede.reports.RunReader;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.NatsCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/agents/README.md's "point them at a NATS cluster", on a real 2-node nats-server cluster
 * (routes on 127.0.0.1): agents on node A, one agent given both seed URLs through NATS_URL, the
 * coordinator and an independent subscriber on node B. Discovery, start, reports and the traffic
 * all cross the route; the merge is exact.
 */
class AgentsClusterTest {
    private static final int RATE = 6_000;
    private static final int SECONDS = 4;

    @Test
    @Timeout(120)
    void agentsOnOneNodeAndACoordinatorOnTheOtherMergeExactly(@TempDir Path dir) throws Exception {
        int n = 3;
        try (NatsCluster cluster = NatsCluster.start(2); AgentJvms agents = new AgentJvms();
             Connection subB = Nats.connect(cluster.url(1)); Connection probeA = Nats.connect(cluster.url(0))) {
            // a0, a1 on node A by --nats-url; a2 from NATS_URL = both seeds (the client picks one)
            agents.add(ChildJvm.start(LoadgenCli.class, Map.of(), "agent", "--nats-url", cluster.url(0), "--name", "a0"));
            agents.add(ChildJvm.start(LoadgenCli.class, Map.of(), "agent", "--nats-url", cluster.url(0), "--name", "a1"));
            agents.add(ChildJvm.start(LoadgenCli.class, Map.of("NATS_URL", cluster.urls()), "agent", "--name", "a2"));

            // every message on node B, each seq once; ready when node A's publishes reach it
            Map<Long, Boolean> seen = new ConcurrentHashMap<>();
            AtomicLong received = new AtomicLong();
            AtomicLong probes = new AtomicLong();
            Dispatcher d = subB.createDispatcher(m -> {
                if (m.getSubject().equals("signals._probe")) {
                    probes.incrementAndGet();
                    return;
                }
                seen.put(seqOf(m.getData()), Boolean.TRUE);
                received.incrementAndGet();
            });
            d.subscribe("signals.>");
            subB.flush(Duration.ofSeconds(2));
            Await.until("node B's subscription seen from node A", Duration.ofSeconds(10), () -> {
                probeA.publish("signals._probe", new byte[0]);
                return probes.get() > 0;
            });

            LoadGenConfig cfg = LoadGenConfig.builder(cluster.url(1)).baselineRate(RATE).payloadSize(128)
                    .duration(Duration.ofSeconds(SECONDS)).runDir(dir.resolve("cluster-run")).build();
            RunResult r;
            String connzA;
            String connzB;
            // staleness is not what this test is about: a loaded CI machine may delay a report past the default 3 s
            try (Coordinator c = new Coordinator(cfg, n).staleAfter(Duration.ofSeconds(10)).connect()) {
                List<Coordinator.AgentRef> refs = c.awaitAgents(Duration.ofSeconds(60));
                assertThat(refs).extracting(Coordinator.AgentRef::name).containsExactlyInAnyOrder("a0", "a1", "a2");
                // where each one is connected, from the servers' own view
                connzA = cluster.monitor(0, "/connz");
                connzB = cluster.monitor(1, "/connz");
                c.start(refs);
                r = c.awaitEnd(Duration.ofSeconds(SECONDS + 20L));
            }
            subB.flush(Duration.ofSeconds(5));
            Await.until("node B received every message the agents sent", Duration.ofSeconds(5), () -> received.get() >= r.sent());

            assertThat(connzA).contains("\"stampede-agent-a0\"", "\"stampede-agent-a1\"").doesNotContain("stampede-coordinator-");
            assertThat(connzB).contains("stampede-coordinator-").doesNotContain("\"stampede-agent-a0\"", "\"stampede-agent-a1\"");
            String a2Node = connzA.contains("\"stampede-agent-a2\"") ? "A" : connzB.contains("\"stampede-agent-a2\"") ? "B" : "?";
            assertThat(a2Node).as("a2 connected to one of the seeds").isIn("A", "B");

            // merged = sum of the agents', exactly; the schedule split gives each agent rate/n
            assertThat(r.degraded()).isFalse();
            assertThat(r.missing()).isEmpty();
            assertThat(r.failed()).isZero();
            assertThat(r.agents()).hasSize(n).allSatisfy(a -> {
                assertThat(a.missing()).isFalse();
                assertThat(a.sent()).isEqualTo((long) RATE / n * SECONDS);
            });
            assertThat(r.sent()).isEqualTo(r.agents().stream().mapToLong(RunResult.Agent::sent).sum()).isEqualTo((long) RATE * SECONDS);
            assertThat(r.lateness().count()).isEqualTo(r.agents().stream().mapToLong(a -> a.lateness().count()).sum())
                    .isEqualTo(r.sent());
            // the traffic published on node A (and wherever a2 is) arrived on node B, each message once
            assertThat(received.get()).isEqualTo(r.sent());
            assertThat(seen).hasSize((int) r.sent());
            // the coordinator's run record: the merged lateness log holds every message once
            RunReader rr = RunReader.open(dir.resolve("cluster-run"));
            assertThat(rr.series("lateness").orElseThrow().merged().getTotalCount()).isEqualTo(r.sent());
            assertThat(rr.summary().orElseThrow().completed()).isTrue();
            System.out.println(String.format(Locale.ROOT,
                    "cluster: agents a0,a1 on node A, a2 (NATS_URL=both seeds) on node %s, coordinator on node B: sent %d = %s;"
                            + " lateness count %d = %s; node B received %d; lateness p99 %d us",
                    a2Node, r.sent(), r.agents().stream().map(a -> a.name() + ":" + a.sent()).toList(), r.lateness().count(),
                    r.agents().stream().map(a -> Long.toString(a.lateness().count())).toList(), received.get(),
                    r.lateness().p99Micros()));
        }
    }

    private static long seqOf(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 40), StandardCharsets.US_ASCII);
        int dash = s.indexOf('-');
        return Long.parseLong(s.substring(dash + 1, dash + 11));
    }

    private static final class AgentJvms implements AutoCloseable {
        private final List<ChildJvm> jvms = new ArrayList<>();

        void add(ChildJvm j) {
            jvms.add(j);
        }

        @Override
        public void close() {
            for (ChildJvm j : jvms) {
                j.close();
            }
        }
    }
}
