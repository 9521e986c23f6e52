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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code recovery.decisions_during} / {@code decisions_after} count decisions by when they were
 * made, each id once: a consumer written here makes no decision at all while the experiment runs
 * (it holds every signal) and decides them all once the experiment ended. So nothing was decided
 * during the fault, and every id of the window is decided after it, counted once. Before, "during"
 * was the window's ids decided at any time (here all of them) and "after" counted them again.
 */
@Timeout(120)
class DecisionsByTimeTest {
    @Test
    void decisionsAreCountedByTheTimeTheyWereMade() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").build());
            AtomicBoolean holding = new AtomicBoolean();
            ConcurrentLinkedQueue<byte[]> held = new ConcurrentLinkedQueue<>();
            var d = c.createDispatcher(m -> {
                JsonObject signal = new JsonObject(new String(m.getData(), StandardCharsets.UTF_8));
                byte[] outcome = new JsonObject().put("id", signal.getString("id")).put("sent_at", signal.getValue("sent_at"))
                        .encode().getBytes(StandardCharsets.UTF_8);
                if (holding.get()) {
                    held.add(outcome);
                } else {
                    c.publish("decisions.test", outcome);
                }
            });
            d.subscribe("signals.>");

            ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 0.1).withBaseline(200);
            try (ApiFixture fx = ApiFixture.startDefault(cfg)) {
                Await.until("baseline decided", Duration.ofSeconds(20), () -> {
                    ApiClient.Response r = fx.client.get("/baseline");
                    return r.status() == 200 && r.json().getJsonObject("verdict") != null
                            && r.json().getJsonObject("verdict").getJsonObject("integrity").getLong("delivered") > 100;
                });
                Thread.sleep(300); // the outcomes published so far have arrived
                holding.set(true);
                ApiClient.Response post = fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":1,\"duration_s\":30}");
                assertThat(post.status()).as(post.body()).isEqualTo(201);
                String id = post.json().getString("experiment_id");
                Await.until(id + " ended", Duration.ofSeconds(30),
                        () -> "completed".equals(fx.client.get("/experiments/" + id).json().getString("status")));
                holding.set(false);
                for (byte[] o; (o = held.poll()) != null; ) {
                    c.publish("decisions.test", o);
                }
                Await.until(id + " final", Duration.ofSeconds(60),
                        () -> fx.client.get("/experiments/" + id).json().getJsonObject("verdict").getBoolean("final"));
                JsonObject v = fx.client.get("/experiments/" + id).json().getJsonObject("verdict");
                JsonObject rec = v.getJsonObject("recovery");
                long expected = v.getJsonObject("integrity").getLong("expected");
                assertThat(expected).as(v.encode()).isGreaterThan(100);
                assertThat(v.getJsonObject("integrity").getLong("lost")).isZero();
                assertThat(rec.getLong("decisions_during")).as("nothing was decided while the fault was applied: " + rec)
                        .isLessThan(5); // at most a decision in flight when the hold began
                assertThat(rec.getLong("decisions_after")).as("the window's ids, decided after the end: " + rec)
                        .isGreaterThanOrEqualTo(expected);
                long sentSoFar = fx.client.get("/baseline").json().getJsonObject("verdict").getJsonObject("integrity")
                        .getLong("expected");
                assertThat(rec.getLong("decisions_during") + rec.getLong("decisions_after"))
                        .as("each id once: never more decisions than ids sent").isLessThanOrEqualTo(sentSoFar);
            }
        }
    }
}
