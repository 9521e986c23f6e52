package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.stampede.demo.DemoConfig;
import io.stampede.demo.agent.AgentMain;
import io.stampede.testkit.Await;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** JetStream mode against the real demo agent: every signal decided exactly once, app duplicates included. */
class DemoAgentEndToEndTest {

    @Test
    @Timeout(60)
    void jetStreamRunWithAppDuplicatesThroughTheDemoAgentLosesAndDoublesNothing(@TempDir Path dir) throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            AgentMain agent = AgentMain.start(DemoConfig.fromMap(Map.of(
                    "NATS_URL", nats.url(),
                    "AGENT_PORT", Integer.toString(FreePorts.next()),
                    "AGENT_ACK_WAIT_MS", "2000"))).toCompletionStage().toCompletableFuture().get();
            try (Connection c = Nats.connect(nats.url())) {
                var jsm = c.jetStreamManagement();
                Await.until("SIGNALS and DECISIONS streams", Duration.ofSeconds(20), () -> {
                    try {
                        return jsm.getStreamInfo("SIGNALS") != null && jsm.getStreamInfo("DECISIONS") != null;
                    } catch (Exception notYet) {
                        return false;
                    }
                });
                LoadGenConfig cfg = LoadGenConfig.builder(nats.url()).baselineRate(150).duration(Duration.ofSeconds(3))
                        .mode(PublishMode.JETSTREAM).runDir(dir)
                        .verifier(VerifierConfig.defaults().withGrace(Duration.ofSeconds(20))).build();
                try (LoadGenerator g = new LoadGenerator(cfg)) {
                    g.addDuplicates("chaos_duplicate_messages_e2e", 0.1, 20, DuplicateMode.APP);
                    g.start();
                    assertThat(g.awaitScheduleEnd(Duration.ofSeconds(10))).isTrue();
                    LoadStats s = g.stop(Duration.ofSeconds(30));
                    TrafficStats t = s.total();
                    VerifierStats v = s.verifier();
                    assertThat(t.sent()).isEqualTo(450);
                    assertThat(t.duplicatesSent()).isEqualTo(45);
                    assertThat(t.acked()).isEqualTo(495);
                    assertThat(t.ackDuplicates()).isZero(); // app duplicates pass the stream on purpose
                    assertThat(t.failed()).isZero();
                    assertThat(v.expected()).isEqualTo(450);
                    assertThat(v.delivered()).isEqualTo(450);
                    assertThat(v.lost()).isZero();
                    assertThat(v.duplicated()).isZero();
                    assertThat(v.unexpected()).isZero();
                    assertThat(v.e2e().count()).isEqualTo(450);
                    io.stampede.reports.RunReader r = io.stampede.reports.RunReader.open(dir);
                    assertThat(r.series("e2e").orElseThrow().merged().getTotalCount()).isEqualTo(450);
                    assertThat(r.run().orElseThrow().params()).containsEntry("mode", "jetstream");
                }
            } finally {
                agent.close();
            }
        }
    }
}
