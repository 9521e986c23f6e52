package io.stampede.chaos.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /baseline}'s integrity counts the republished ids (a second outcome with the same
 * Nats-Msg-Id), as an experiment's window does: a consumer written here decides a known set of
 * ids twice, both outcomes with Nats-Msg-Id; the baseline's own verdict reported 0 before.
 */
@Timeout(90)
class BaselineRepublishedTest {
    static boolean republishes(long seq) {
        return seq % 40 == 11;
    }

    @Test
    void baselineVerdictCountsRepublishedIds() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").build());
            Set<Long> republished = new ConcurrentSkipListSet<>();
            var d = c.createDispatcher(m -> {
                JsonObject signal = new JsonObject(new String(m.getData(), StandardCharsets.UTF_8));
                String id = signal.getString("id");
                long seq = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
                byte[] outcome = new JsonObject().put("id", id).put("sent_at", signal.getValue("sent_at")).encode()
                        .getBytes(StandardCharsets.UTF_8);
                Headers h = new Headers().add("Nats-Msg-Id", "decision-" + id);
                c.publish("decisions.test", h, outcome);
                if (republishes(seq)) {
                    c.publish("decisions.test", h, outcome); // the agent's republish after a crash: same Nats-Msg-Id
                    republished.add(seq);
                }
            });
            d.subscribe("signals.>");

            ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 0.1).withBaseline(200);
            try (ApiFixture fx = ApiFixture.startDefault(cfg)) {
                Await.until("republished ids counted by GET /baseline", Duration.ofSeconds(40), () -> {
                    var r = fx.client.get("/baseline");
                    if (r.status() != 200 || r.json().getJsonObject("verdict") == null) {
                        return false;
                    }
                    return r.json().getJsonObject("verdict").getJsonObject("integrity").getLong("republished") >= 10;
                });
                JsonObject i = fx.client.get("/baseline").json().getJsonObject("verdict").getJsonObject("integrity");
                assertThat(i.getLong("republished")).as(i.encode())
                        .isLessThanOrEqualTo(republished.size()) // each id once, however often it came back
                        .isGreaterThanOrEqualTo(10);
                assertThat(i.getLong("duplicated")).as("a republish is not processed twice").isZero();
            }
        }
    }
}
