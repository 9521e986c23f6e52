package io.stampede.loadgen.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.PublishMode;
import io.stampede.loadgen.RunResult;
import io.stampede.loadgen.VerifierConfig;
import io.stampede.loadgen.VerifierStats;
import io.stampede.loadgen.cli.LoadgenCli;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunReader;
import io.stampede.testkit.NatsServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --verify} with agents: two agent JVMs publish (JetStream) on a real nats-server, a
 * subscriber here stands in for the system under test and decides each signal on
 * {@code decisions.test} (the demo agent's outcome form: {@code id}, {@code sent_at}); the
 * coordinator's verifier expects every original the agents confirm.
 */
class AgentsVerifyTest {
    /** Outcomes the "system" drops, and the ones it decides twice, when told to. */
    static boolean drops(long seq) {
        return seq % 37 == 5;
    }

    static boolean twice(long seq) {
        return seq % 53 == 11 && !drops(seq);
    }

    @Test
    @Timeout(150)
    void everyConfirmedOriginalIsExpectedAndDroppedOrDoubledOutcomesAreCountedExactly(@TempDir Path dir) throws Exception {
        try (NatsServer nats = NatsServer.start(); AgentsTest.Agents agents = AgentsTest.Agents.start(nats.url(), 2);
             Connection sut = Nats.connect(nats.url())) {
            sut.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").build());
            AtomicBoolean faulty = new AtomicBoolean();
            Set<Long> seen = new ConcurrentSkipListSet<>();
            Dispatcher d = sut.createDispatcher(m -> {
                String body = new String(m.getData(), StandardCharsets.UTF_8);
                long seq = seqOf(body);
                seen.add(seq);
                if (faulty.get() && drops(seq)) {
                    return;
                }
                String outcome = "{\"id\":\"" + idOf(body) + "\",\"sent_at\":" + sentAtOf(body) + "}";
                for (int i = faulty.get() && twice(seq) ? 2 : 1; i > 0; i--) {
                    sut.publish("decisions.test", outcome.getBytes(StandardCharsets.UTF_8));
                }
            });
            d.subscribe("signals.>");
            sut.flush(Duration.ofSeconds(2));

            // 1. the CLI: loadgen run --agents 2 --verify, everything decided once
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream out0 = System.out;
            int code;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                code = new CommandLine(new LoadgenCli()).setCaseInsensitiveEnumValuesAllowed(true).execute("run",
                        "--nats-url", nats.url(), "--agents", "2", "--verify", "--mode", "jetstream", "--rate", "2000",
                        "--duration", "3", "--payload-size", "128", "--grace", "5", "--json", "--run-dir", dir.resolve("r1").toString());
            } finally {
                System.setOut(out0);
            }
            String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
            @SuppressWarnings("unchecked")
            Map<String, Object> j = new com.fasterxml.jackson.databind.ObjectMapper().readValue(lines[lines.length - 1], Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> v1 = (Map<String, Object>) j.get("verifier");
            System.out.println("run 1 (CLI, 2 agents, all decided): sent " + j.get("sent") + ", verifier " + v1);
            assertThat(code).as(String.join("\n", lines)).isZero();
            assertThat(j).containsEntry("sent", 6000).containsEntry("failed", 0).containsEntry("degraded", false);
            assertThat(v1).containsEntry("expected", 6000).containsEntry("delivered", 6000).containsEntry("lost_now", 0)
                    .containsEntry("duplicated", 0).containsEntry("unexpected", 0).containsEntry("unreported", 0)
                    .containsEntry("finished", true);
            RunReader r1 = RunReader.open(dir.resolve("r1"));
            assertThat(r1.run().orElseThrow().params()).containsEntry("verify", true).containsEntry("verify_subject", "decisions.>");
            assertThat(r1.series("e2e").orElseThrow().merged().getTotalCount()).isEqualTo(6000);
            CounterRecord last = r1.summary().orElseThrow().counters().stream().filter(c -> c.source().equals("verifier"))
                    .findFirst().orElseThrow();
            assertThat(last.values()).containsEntry("expected", 6000L).containsEntry("lost_now", 0L);

            // 2. the library, the system drops a known set of outcomes and decides another twice
            Thread.sleep(500); // the agents leave their last run
            seen.clear();
            faulty.set(true);
            LoadGenConfig cfg = LoadGenConfig.builder(nats.url()).baselineRate(3000).payloadSize(128)
                    .duration(Duration.ofSeconds(3)).mode(PublishMode.JETSTREAM)
                    .verifier(VerifierConfig.defaults().withGrace(Duration.ofSeconds(3))).runDir(dir.resolve("r2")).build();
            RunResult r;
            try (Coordinator c = new Coordinator(cfg, 2).connect()) {
                c.start(c.awaitAgents(Duration.ofSeconds(30)));
                r = c.awaitEnd(Duration.ofSeconds(10));
            }
            VerifierStats v = r.verifier();
            long dropped = seen.stream().filter(AgentsVerifyTest::drops).count();
            long doubled = seen.stream().filter(AgentsVerifyTest::twice).count();
            System.out.printf("run 2 (2 agents, %d dropped, %d decided twice): sent %d = %s, verifier %s%n", dropped, doubled,
                    r.sent(), r.agents().stream().map(a -> a.name() + ":" + a.sent()).toList(), v.toMap());
            assertThat(r.degraded()).isFalse();
            assertThat(r.sent()).isEqualTo(9000);
            assertThat(seen).hasSize(9000);
            assertThat(v.expected()).as("every original of every agent").isEqualTo(r.sent());
            assertThat(dropped).isEqualTo(244); // seqs 0..8999 with seq % 37 == 5: 5, 42, ..., 8996
            assertThat(v.lost()).isEqualTo(dropped);
            assertThat(v.delivered()).isEqualTo(9000 - dropped);
            assertThat(v.duplicated()).isEqualTo(doubled).isPositive();
            assertThat(v.extraOutcomes()).isEqualTo(doubled);
            assertThat(v.unexpected()).isZero();
            assertThat(v.unreported()).isZero();
        }
    }

    @Test
    @Timeout(90)
    void aKilledAgentsUnreportedTailIsNotCountedLost(@TempDir Path dir) throws Exception {
        try (NatsServer nats = NatsServer.start(); AgentsTest.Agents agents = AgentsTest.Agents.start(nats.url(), 2);
             Connection sut = Nats.connect(nats.url())) {
            sut.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").build());
            Dispatcher d = sut.createDispatcher(m -> {
                String body = new String(m.getData(), StandardCharsets.UTF_8);
                sut.publish("decisions.test", ("{\"id\":\"" + idOf(body) + "\",\"sent_at\":" + sentAtOf(body) + "}")
                        .getBytes(StandardCharsets.UTF_8));
            });
            d.subscribe("signals.>");
            sut.flush(Duration.ofSeconds(2));
            LoadGenConfig cfg = LoadGenConfig.builder(nats.url()).baselineRate(2000).payloadSize(128)
                    .duration(Duration.ofSeconds(5)).mode(PublishMode.JETSTREAM)
                    .verifier(VerifierConfig.defaults().withGrace(Duration.ofSeconds(3))).runDir(dir.resolve("k")).build();
            RunResult r;
            try (Coordinator c = new Coordinator(cfg, 2).staleAfter(Duration.ofMillis(1500)).connect()) {
                c.start(c.awaitAgents(Duration.ofSeconds(30)));
                long startNanos = System.nanoTime() + (c.startAtMs() - System.currentTimeMillis()) * 1_000_000;
                long ms = (startNanos + 2_000_000_000L - System.nanoTime()) / 1_000_000;
                Thread.sleep(Math.max(0, ms));
                agents.get(1).kill9();
                r = c.awaitEnd(Duration.ofSeconds(10));
            }
            VerifierStats v = r.verifier();
            RunResult.Agent alive = r.agents().stream().filter(a -> a.name().equals("a0")).findFirst().orElseThrow();
            System.out.printf("killed agent: sent %s, verifier %s%n", r.agents().stream().map(a -> a.name() + ":" + a.sent()).toList(),
                    v.toMap());
            assertThat(r.degraded()).isTrue();
            assertThat(r.missing()).containsExactly("a1");
            assertThat(alive.sent()).isEqualTo(5000);
            // what a1 confirmed is expected; what it may have sent after its last progress is unreported, never lost
            RunResult.Agent killed = r.agents().stream().filter(a -> a.name().equals("a1")).findFirst().orElseThrow();
            // its progress (every 50 ms) is at least as recent as its last report (every second, 1000 msg/s each)
            assertThat(v.expected() - alive.sent()).as("a1's confirmed originals").isBetween(killed.sent(), killed.sent() + 1000);
            assertThat(v.lost()).as("only what a1 handed to its client but never reached the server (at most one progress period)")
                    .isLessThanOrEqualTo(2000 / 2 * AgentProtocol.PROGRESS_PERIOD_MS / 1000);
            assertThat(v.delivered()).isEqualTo(v.expected() - v.lost());
            assertThat(v.unexpected()).isZero();
        }
    }

    private static long seqOf(String body) {
        String id = idOf(body);
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    private static String idOf(String body) {
        int i = body.indexOf("\"id\":\"") + 6;
        return body.substring(i, body.indexOf('"', i));
    }

    private static String sentAtOf(String body) {
        int i = body.indexOf("\"sent_at\":") + 10;
        int e = body.indexOf(',', i);
        return body.substring(i, e).trim();
    }
}
