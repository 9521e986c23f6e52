package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DeliveryVerifierTest {

    private static byte[] outcome(String id, long sentAt) {
        return ("{\"id\":\"" + id + "\",\"symbol\":\"AAPL\",\"action\":\"execute_buy\",\"sent_at\":" + sentAt + "}")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    @Timeout(30)
    void findsOneDroppedAndOneDoubledOutcomeInAMillionWithoutFalsePositives() throws Exception {
        int n = 1_000_000;
        long dropped = 424_242;
        long doubled = 777_777;
        try (DeliveryVerifier v = new DeliveryVerifier(VerifierConfig.defaults(), "rtest1")) {
            long now = io.stampede.loadgen.internal.EpochClock.nowEpochMicros();
            for (long seq = 0; seq < n; seq++) {
                v.sent(seq);
                if (seq != dropped) {
                    byte[] body = outcome(SignalIds.format("rtest1", seq), now);
                    v.onOutcome(body, null);
                    if (seq == doubled) {
                        v.onOutcome(body, null);
                    }
                }
            }
            v.onOutcome(outcome("other1-000000000001", now), null); // another run's outcome
            VerifierStats s = v.finish(Duration.ZERO);
            assertThat(s.expected()).isEqualTo(n);
            assertThat(s.delivered()).isEqualTo(n - 1);
            assertThat(s.lost()).isEqualTo(1);
            assertThat(s.duplicated()).isEqualTo(1);
            assertThat(s.extraOutcomes()).isEqualTo(1);
            assertThat(s.unexpected()).isZero();
            assertThat(s.foreign()).isEqualTo(1);
            assertThat(s.e2e().count()).isEqualTo(n - 1);
        }
    }

    @Test
    @Timeout(20)
    void idFromAHeaderWorksToo() throws Exception {
        VerifierConfig cfg = VerifierConfig.defaults().withId(IdSource.HEADER, "Nats-Msg-Id");
        try (DeliveryVerifier v = new DeliveryVerifier(cfg, "rtest2")) {
            for (long seq = 0; seq < 10; seq++) {
                v.sent(seq);
            }
            for (long seq = 0; seq < 9; seq++) {
                Headers h = new Headers().put("Nats-Msg-Id", SignalIds.format("rtest2", seq));
                v.onOutcome("{}".getBytes(StandardCharsets.US_ASCII), h);
            }
            VerifierStats s = v.finish(Duration.ZERO);
            assertThat(s.delivered()).isEqualTo(9);
            assertThat(s.lost()).isEqualTo(1);
            assertThat(s.duplicated()).isZero();
        }
    }

    /**
     * Through real NATS: a relay plays the system under test (signals.> to decisions.<symbol>),
     * except that it drops one signal and answers another twice.
     */
    @Test
    @Timeout(30)
    void overRealNatsDetectsTheInjectedLossAndDoubleWithALiveLostCount() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            Connection relay = Nats.connect(nats.url());
            AtomicBoolean droppedOne = new AtomicBoolean();
            AtomicBoolean doubledOne = new AtomicBoolean();
            Dispatcher d = relay.createDispatcher(m -> {
                String body = new String(m.getData(), StandardCharsets.US_ASCII);
                boolean isSeq = body.contains("\"seq\":");
                long seq = isSeq ? Long.parseLong(body.replaceAll("(?s).*\"seq\":\\s*(\\d+).*", "$1")) : -1;
                String out = "decisions." + m.getSubject().substring("signals.".length());
                if (seq == 500 && droppedOne.compareAndSet(false, true)) {
                    return;
                }
                relay.publish(out, m.getData());
                if (seq == 1500 && doubledOne.compareAndSet(false, true)) {
                    relay.publish(out, m.getData());
                }
            });
            d.setPendingLimits(-1, -1);
            d.subscribe("signals.>");
            relay.flush(Duration.ofSeconds(5));

            LoadGenConfig cfg = LoadGenConfig.builder(nats.url()).baselineRate(1000).duration(Duration.ofSeconds(3))
                    .verifier(VerifierConfig.defaults().withGrace(Duration.ofSeconds(1))).build();
            try (LoadGenerator g = new LoadGenerator(cfg).start()) {
                // lost is reported while the run goes on, once the grace period of seq 500 passed
                Await.until("live lost = 1", Duration.ofSeconds(10), () -> g.stats().verifier().lost() == 1);
                assertThat(g.awaitScheduleEnd(Duration.ofSeconds(10))).isTrue();
                LoadStats s = g.stop(Duration.ofSeconds(5));
                VerifierStats v = s.verifier();
                assertThat(s.total().sent()).isEqualTo(3000);
                assertThat(v.expected()).isEqualTo(3000);
                assertThat(v.delivered()).isEqualTo(2999);
                assertThat(v.lost()).isEqualTo(1);
                assertThat(v.duplicated()).isEqualTo(1);
                assertThat(v.unexpected()).isZero();
                assertThat(v.dropped()).isZero();
                assertThat(v.e2e().count()).isEqualTo(2999);
                assertThat(v.finished()).isTrue();
            } finally {
                relay.close();
            }
        }
    }
}
