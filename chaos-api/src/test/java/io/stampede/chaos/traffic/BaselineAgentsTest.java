package io.stampede.chaos.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.loadgen.cli.LoadgenCli;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The baseline on two load agent JVMs (STAMPEDE_BASELINE_AGENTS=2): a backpressure experiment
 * (multiplier 2) and a duplicate_messages one reach both agents, and each verdict counts its
 * window exactly: every original the agents scheduled in it is expected, all are delivered (a
 * consumer written here decides every signal it gets), and the ids decided twice are the ones
 * this consumer saw twice.
 */
@Timeout(150)
class BaselineAgentsTest {
    static final double BASELINE = 200;

    @Test
    void experimentsOnAgentsAreJudgedExactlyOverEachAgentsWindow() throws Exception {
        List<ChildJvm> agents = new ArrayList<>();
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").build());
            Map<Long, Integer> got = new ConcurrentHashMap<>();
            var d = c.createDispatcher(m -> {
                JsonObject signal = new JsonObject(new String(m.getData(), StandardCharsets.UTF_8));
                String id = signal.getString("id");
                got.merge(Long.parseLong(id.substring(id.lastIndexOf('-') + 1)), 1, Integer::sum);
                c.publish("decisions.test", new JsonObject().put("id", id).put("sent_at", signal.getValue("sent_at"))
                        .encode().getBytes(StandardCharsets.UTF_8));
            });
            d.subscribe("signals.>");
            for (int i = 0; i < 2; i++) {
                agents.add(ChildJvm.start(LoadgenCli.class, Map.of(), "agent", "--nats-url", nats.url(), "--name", "b" + i));
            }
            ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 0.1).withBaseline(BASELINE)
                    .withBaselineAgents(2);
            try (ApiFixture fx = ApiFixture.startDefault(cfg)) {
                Await.until("the agents publish the baseline", Duration.ofSeconds(40), () -> got.size() > 200);
                // one after the other: an experiment answers for every duplicate in its window, whoever caused it
                String bp = fx.postWhenBaselineRuns("{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":20}", Duration.ofSeconds(40));
                awaitFinal(fx, bp);
                String dup = fx.postWhenBaselineRuns("{\"type\":\"duplicate_messages\",\"duplicate_rate\":0.25,\"duration_s\":20}", Duration.ofSeconds(40));
                awaitFinal(fx, dup);
                for (String id : new String[] {bp, dup}) {
                    JsonObject e = fx.client.get("/experiments/" + id).json();
                    JsonObject w = e.getJsonObject("baseline_window");
                    JsonArray parts = w.getJsonArray("agents");
                    assertThat(parts).as("one part per agent: " + w).hasSize(2);
                    long scheduled = 0;
                    long twice = 0;
                    long seenOnce = 0;
                    for (Object o : parts) {
                        JsonObject p = (JsonObject) o;
                        int k = p.getInteger("index");
                        for (long j = p.getLong("from_j"); j < p.getLong("to_j"); j++) {
                            long seq = j * 2 + k;
                            scheduled++;
                            int n = got.getOrDefault(seq, 0);
                            seenOnce += n >= 1 ? 1 : 0;
                            twice += n >= 2 ? 1 : 0;
                        }
                    }
                    JsonObject v = e.getJsonObject("verdict");
                    JsonObject i = v.getJsonObject("integrity");
                    System.out.printf("%s: window %s -> scheduled %d, consumer saw %d (%d twice); verdict %s %s%n", id, w,
                            scheduled, seenOnce, twice, v.getString("status"), i);
                    assertThat(seenOnce).as("the consumer got every original of the window").isEqualTo(scheduled);
                    assertThat(i.getLong("expected")).as(id).isEqualTo(scheduled);
                    assertThat(i.getLong("delivered")).as(id).isEqualTo(scheduled);
                    assertThat(i.getLong("lost")).as(id).isZero();
                    assertThat(i.getLong("overdue")).as(id).isZero();
                    assertThat(i.getLong("unexpected")).as(id).isZero();
                    assertThat(i.getLong("duplicated")).as(id).isEqualTo(twice);
                    if (id.equals(bp)) {
                        // 2 s (scaled) at 2 × 200 msg/s, both agents together
                        assertThat(scheduled).as("the multiplier reached both agents").isBetween(600L, 1000L);
                        assertThat(parts).allSatisfy(o -> assertThat(((JsonObject) o).getLong("to_j") - ((JsonObject) o).getLong("from_j"))
                                .isBetween(300L, 500L));
                        assertThat(twice).isZero();
                        assertThat(v.getString("status")).isNotEqualTo("fail");
                    } else {
                        assertThat(twice).as("duplicates of the window's originals").isPositive();
                        assertThat(v.getString("status")).isEqualTo("fail");
                    }
                }
                JsonObject stats = fx.client.get("/experiments/" + bp).json().getJsonObject("stats");
                assertThat(stats.getInteger("baseline_agents")).isEqualTo(2);
            }
        } finally {
            agents.forEach(ChildJvm::close);
        }
    }

    static void awaitFinal(ApiFixture fx, String id) {
        Await.until(id + " final", Duration.ofSeconds(60),
                () -> fx.client.get("/experiments/" + id).json().getJsonObject("verdict").getBoolean("final"));
    }
}
