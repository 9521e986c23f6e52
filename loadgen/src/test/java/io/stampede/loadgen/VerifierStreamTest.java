package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Outcomes read from a JetStream stream (a system file's outcomes.stream): the verifier sees what
 * the stream stored — an outcome published again with the same Nats-Msg-Id inside the duplicate
 * window is stored once and counted once; one published again with a fresh msg-id is stored twice
 * and counted duplicated — across every subject of the stream, and only outcomes after its start.
 */
@Timeout(30)
class VerifierStreamTest {
    @Test
    void countsWhatTheStreamStored() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("OUT").subjects("out.a", "out.b")
                    .duplicateWindow(Duration.ofMinutes(1)).build());
            JetStream js = c.jetStream();
            js.publish("out.a", headers("rold00-0000000099"), "before".getBytes(StandardCharsets.UTF_8)); // before the verifier: not read
            VerifierConfig cfg = VerifierConfig.defaults().withId(IdSource.HEADER, "Order-Id").withSentAt(null).withStream("OUT");
            assertThat(cfg.validate()).isEmpty();
            try (DeliveryVerifier v = new DeliveryVerifier(cfg, "rtest0").start(nats.url())) {
                for (long seq = 0; seq < 10; seq++) {
                    v.sending(seq);
                }
                for (long seq = 0; seq < 10; seq++) {
                    String id = SignalIds.format("rtest0", seq);
                    String subject = seq % 2 == 0 ? "out.a" : "out.b";
                    js.publish(subject, headers(id), "done".getBytes(StandardCharsets.UTF_8), PublishOptions.builder().messageId(id).build());
                    if (seq == 3) { // republished with the same msg-id: the stream keeps one
                        js.publish(subject, headers(id), "done".getBytes(StandardCharsets.UTF_8), PublishOptions.builder().messageId(id).build());
                    }
                    if (seq == 5) { // decided twice, each with its own msg-id: the stream keeps both
                        js.publish(subject, headers(id), "done".getBytes(StandardCharsets.UTF_8), PublishOptions.builder().messageId(id + "-again").build());
                    }
                }
                Await.until("10 ids delivered", Duration.ofSeconds(10), () -> v.stats().delivered() == 10);
                Thread.sleep(300);
                VerifierStats s = v.stats();
                assertThat(s.delivered()).isEqualTo(10);
                assertThat(s.duplicated()).as(s.toString()).isEqualTo(1);
                assertThat(s.unexpected()).isZero();
            }
        }
    }

    private static Headers headers(String id) {
        return new Headers().put("Order-Id", id);
    }
}
