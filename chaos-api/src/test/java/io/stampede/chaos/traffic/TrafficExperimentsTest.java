package io.stampede.chaos.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.stampede.chaos.ApiClient;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.demo.DemoConfig;
import io.stampede.demo.agent.AgentMain;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunReader;
import io.stampede.reports.TimelineEvent;
import io.stampede.testkit.Await;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * backpressure and duplicate_messages through the API, on the chaos API's own baseline traffic
 * (JetStream mode), with the real demo agent deciding every signal and the verifier judging.
 */
@Timeout(120)
class TrafficExperimentsTest {
    static final double BASELINE = 100;
    static NatsServer nats;
    static AgentMain agent;
    static ApiFixture fx;

    @BeforeAll
    static void start() throws Exception {
        nats = NatsServer.start();
        agent = AgentMain.start(DemoConfig.fromMap(Map.of("NATS_URL", nats.url(),
                "AGENT_PORT", Integer.toString(FreePorts.next())))).toCompletionStage().toCompletableFuture().get();
        try (Connection c = Nats.connect(nats.url())) {
            var jsm = c.jetStreamManagement();
            Await.until("SIGNALS and DECISIONS streams", Duration.ofSeconds(20), () -> {
                try {
                    return jsm.getStreamInfo("SIGNALS") != null && jsm.getStreamInfo("DECISIONS") != null;
                } catch (Exception notYet) {
                    return false;
                }
            });
        }
        ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 1.0).withBaseline(BASELINE);
        fx = ApiFixture.startDefault(cfg);
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    /** POSTs until the baseline traffic is connected (409 before). */
    static String post(String body) {
        return fx.postWhenBaselineRuns(body, Duration.ofSeconds(20));
    }

    static JsonObject get(String id) {
        return fx.client.get("/experiments/" + id).json();
    }

    static JsonObject awaitEnd(String id) {
        Await.until(id + " ends", Duration.ofSeconds(30), () -> !get(id).getString("status").matches("scheduled|running"));
        return get(id);
    }

    @Test
    void theBaselineRunHasItsOwnVerdict() {
        Await.until("baseline verdict", Duration.ofSeconds(20), () -> {
            ApiClient.Response r = fx.client.get("/baseline");
            return r.status() == 200 && r.json().containsKey("verdict")
                    && r.json().getJsonObject("verdict").getJsonObject("integrity").getLong("expected") > 100;
        });
        JsonObject v = fx.client.get("/baseline").json().getJsonObject("verdict");
        assertThat(v.getString("status")).isEqualTo("pending");
        assertThat(v.getString("type")).isEqualTo("baseline");
        assertThat(v.getJsonObject("integrity").getLong("lost")).isZero();
        assertThat(v.getJsonObject("integrity").getLong("duplicated")).isZero();
    }

    @Test
    void backpressureMultipliesTheBaselineRateAndRemovingItRestoresIt() throws Exception {
        String id = post("{\"type\":\"backpressure\",\"rate_multiplier\":3,\"duration_s\":4}");
        Await.until("running", Duration.ofSeconds(5), () -> get(id).getString("status").equals("running"));
        Thread.sleep(2_000);
        JsonObject live = get(id).getJsonObject("stats");
        assertThat(live.getDouble("target_rate")).isEqualTo(3 * BASELINE);
        assertThat(live.getDouble("achieved_rate")).isBetween(0.9 * 3 * BASELINE, 1.1 * 3 * BASELINE);
        assertThat(live.getJsonObject("total").getJsonObject("lateness_us").getLong("count")).isPositive();

        JsonObject done = awaitEnd(id);
        assertThat(done.getString("status")).isEqualTo("completed");
        JsonObject stats = done.getJsonObject("stats");
        assertThat(stats.getDouble("target_rate")).isEqualTo(BASELINE);
        // originals sent while the multiplier acted: 4 s at 300 msg/s
        assertThat(stats.getJsonObject("experiment").getLong("sent")).isBetween(1140L, 1260L);
        assertThat(stats.getJsonObject("experiment").getLong("originals_during")).isBetween(1140L, 1260L);
        assertThat(stats.getJsonObject("total").getLong("failed")).isZero();
        Await.until("every acked signal decided", Duration.ofSeconds(30), () -> {
            JsonObject v = get(id).getJsonObject("stats").getJsonObject("verifier");
            return v.getLong("delivered") >= v.getLong("expected") - 3 * (long) BASELINE;
        });
        JsonObject v = get(id).getJsonObject("stats").getJsonObject("verifier");
        assertThat(v.getLong("duplicated")).isZero();
        Path baselineDir = Path.of(stats.getString("baseline_run_dir"));
        RunReader run = RunReader.open(baselineDir);
        assertThat(run.timeline()).filteredOn(e -> id.equals(e.experimentId())).extracting(TimelineEvent::event)
                .containsSubsequence("multiplier_added", "multiplier_removed");
        assertThat(run.run().orElseThrow().type()).isEqualTo("baseline");
        // the experiment's share, under the same key names as the stats above
        // counters.jsonl is written once a second: wait for the record of the second the window closed in
        long sent = stats.getJsonObject("experiment").getLong("sent");
        Await.until("the run record has the experiment's final share", Duration.ofSeconds(5), () -> {
            RunReader r = RunReader.open(baselineDir);
            return r.counters().stream().filter(c -> id.equals(c.experimentId())).reduce((a, b) -> b)
                    .map(c -> c.values().get("sent").longValue() == sent).orElse(false)
                    && r.series("lateness").orElseThrow().merged(id).getTotalCount() == sent;
        });
        run = RunReader.open(baselineDir);
        CounterRecord share = run.counters().stream().filter(c -> id.equals(c.experimentId())).reduce((a, b) -> b).orElseThrow();
        assertThat(share.source()).isEqualTo("loadgen");
        assertThat(share.values().get("sent").longValue()).isBetween(1140L, 1260L);
        assertThat(run.series("lateness").orElseThrow().merged(id).getTotalCount()).isEqualTo(share.values().get("sent").longValue());
        assertThat(run.problems()).isEmpty();
    }

    @Test
    void appDuplicatesReachTheAgentWhichDecidesEachIdOnce() {
        String id = post("{\"type\":\"duplicate_messages\",\"duplicate_rate\":0.2,\"duration_s\":3}");
        JsonObject done = awaitEnd(id);
        assertThat(done.getString("status")).isEqualTo("completed");
        JsonObject mine = done.getJsonObject("stats").getJsonObject("experiment");
        long originals = mine.getLong("originals_during");
        long duplicates = mine.getLong("duplicates");
        assertThat(originals).isBetween(270L, 330L);
        // the deterministic accumulator duplicates exactly one in five of the originals it saw
        assertThat(duplicates).isBetween(originals / 5 - 1, originals / 5 + 1);
        Await.until("duplicates processed", Duration.ofSeconds(30), () -> {
            JsonObject v = get(id).getJsonObject("stats").getJsonObject("verifier");
            return v.getLong("delivered") >= v.getLong("expected") - 2 * (long) BASELINE;
        });
        assertThat(get(id).getJsonObject("stats").getJsonObject("verifier").getLong("duplicated")).isZero();
    }

    @Test
    void withoutBaselineTrafficBothTypesAnswer409SayingHowToSwitchItOn() {
        ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 1.0);
        try (ApiFixture off = ApiFixture.startDefault(cfg)) {
            for (String body : new String[] {
                    "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":5}",
                    "{\"type\":\"duplicate_messages\",\"duplicate_rate\":0.1,\"duration_s\":5}"}) {
                ApiClient.Response r = off.client.postJson("/experiments", body);
                assertThat(r.status()).as(r.body()).isEqualTo(409);
                assertThat(r.body()).contains("STAMPEDE_BASELINE=on");
            }
            assertThat(off.client.get("/experiments").json().getJsonArray("experiments")).isEmpty();
        }
    }
}
