package io.stampede.chaos.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.stampede.chaos.ApiClient;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The verdict counts exactly: a consumer written here (not the demo agent) drops a known set of
 * ids and decides another known set twice, while two overlapping experiments run; each gets the
 * counts of its own window, and both fail.
 */
@Timeout(120)
class VerdictIntegrityTest {
    static boolean drops(long seq) {
        return seq % 50 == 7;
    }

    static boolean twice(long seq) {
        return seq % 50 == 23;
    }

    @Test
    void droppedAndDoubledIdsAreCountedPerOverlappingExperiment() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").build());
            Set<Long> seen = new ConcurrentSkipListSet<>();
            Map<Long, Integer> decided = new ConcurrentHashMap<>();
            var d = c.createDispatcher(m -> {
                JsonObject signal = new JsonObject(new String(m.getData(), StandardCharsets.UTF_8));
                String id = signal.getString("id");
                long seq = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
                seen.add(seq);
                if (drops(seq)) {
                    return;
                }
                int n = twice(seq) ? 2 : 1;
                decided.merge(seq, n, Integer::sum);
                for (int i = 0; i < n; i++) {
                    // no Nats-Msg-Id: a second outcome is a real double decision
                    c.publish("decisions.test", new JsonObject().put("id", id).put("sent_at", signal.getValue("sent_at"))
                            .encode().getBytes(StandardCharsets.UTF_8));
                }
            });
            d.subscribe("signals.>");

            ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 0.1).withBaseline(200);
            try (ApiFixture fx = ApiFixture.startDefault(cfg)) {
                String[] first = new String[1];
                Await.until("baseline traffic connected", Duration.ofSeconds(20), () -> {
                    ApiClient.Response r = fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":1,\"duration_s\":20}");
                    first[0] = r.status() == 201 ? r.json().getString("experiment_id") : null;
                    return first[0] != null;
                });
                String a = first[0];
                Thread.sleep(1000);
                String b = fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":1,\"duration_s\":20}")
                        .json().getString("experiment_id");
                for (String id : new String[] {a, b}) {
                    Await.until(id + " final", Duration.ofSeconds(60),
                            () -> fx.client.get("/experiments/" + id).json().getJsonObject("verdict").getBoolean("final"));
                    JsonObject e = fx.client.get("/experiments/" + id).json();
                    long from = e.getJsonObject("baseline_window").getLong("from_seq");
                    long to = e.getJsonObject("baseline_window").getLong("to_seq");
                    long expectedLost = 0;
                    long expectedTwice = 0;
                    for (long s = from; s < to; s++) {
                        expectedLost += drops(s) ? 1 : 0;
                        expectedTwice += twice(s) ? 1 : 0;
                    }
                    JsonObject v = e.getJsonObject("verdict");
                    JsonObject i = v.getJsonObject("integrity");
                    assertThat(i.getLong("expected")).as(id).isEqualTo(to - from);
                    assertThat(i.getLong("lost")).as(id).isEqualTo(expectedLost).isPositive();
                    assertThat(i.getLong("duplicated")).as(id).isEqualTo(expectedTwice).isPositive();
                    assertThat(i.getLong("overdue")).isZero();
                    assertThat(v.getString("status")).isEqualTo("fail");
                    assertThat(v.getJsonArray("criteria").stream().map(o -> (JsonObject) o)
                            .filter(cr -> Boolean.FALSE.equals(cr.getBoolean("pass"))).map(cr -> cr.getString("id")))
                            .contains("lost", "duplicated");
                }
                JsonObject wa = fx.client.get("/experiments/" + a).json().getJsonObject("baseline_window");
                JsonObject wb = fx.client.get("/experiments/" + b).json().getJsonObject("baseline_window");
                assertThat(wb.getLong("from_seq")).as("b opened inside a's window").isGreaterThan(wa.getLong("from_seq"))
                        .isLessThan(wa.getLong("to_seq"));
            }
        }
    }
}
