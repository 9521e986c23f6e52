package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every curl body of the reference scenario, verbatim, with and without a Content-Type. */
class SeedScenariosTest {
    /** The bodies exactly as the seed document writes them (whitespace included). */
    static final List<String> SEED_BODIES = List.of(
            "{\"type\": \"nats_latency\", \"delay_ms\": 100, \"duration_s\": 60}",
            "{\n    \"type\": \"nats_latency\",\n    \"delay_ms\": 50,\n    \"duration_s\": 120,\n    \"jitter_pct\": 0.2\n  }",
            "{\n    \"type\": \"nats_latency\",\n    \"delay_ms\": 500,\n    \"duration_s\": 180,\n    \"jitter_pct\": 0.3\n  }",
            "{\n    \"type\": \"service_failure\",\n    \"service\": \"agent\",\n    \"failure_type\": \"crash\",\n    \"duration_s\": 30\n  }",
            "{\n    \"type\": \"service_failure\",\n    \"service\": \"gateway\",\n    \"failure_type\": \"hang\",\n    \"duration_s\": 45\n  }",
            "{\n    \"type\": \"backpressure\",\n    \"rate_multiplier\": 10,\n    \"duration_s\": 300\n  }",
            "{\n    \"type\": \"backpressure\",\n    \"rate_multiplier\": 50,\n    \"duration_s\": 180\n  }",
            "{\n    \"type\": \"load_test\",\n    \"rps\": 200,\n    \"duration_s\": 600,\n    \"payload_size\": 4096\n  }",
            "{\n    \"type\": \"duplicate_messages\",\n    \"duplicate_rate\": 0.2,\n    \"duration_s\": 240\n  }",
            "{\"type\": \"nats_latency\", \"delay_ms\": 100, \"duration_s\": 300}",
            "{\"type\": \"backpressure\", \"rate_multiplier\": 5, \"duration_s\": 180}",
            "{\"type\": \"duplicate_messages\", \"duplicate_rate\": 0.1, \"duration_s\": 120}",
            "{\"type\": \"load_test\", \"rps\": 50, \"duration_s\": 1800}",
            "{\"type\": \"nats_latency\", \"delay_ms\": 200, \"duration_s\": 600}",
            "{\"type\": \"service_failure\", \"service\": \"agent\", \"failure_type\": \"crash\", \"duration_s\": 60}",
            "{\"type\": \"backpressure\", \"rate_multiplier\": 3, \"duration_s\": 300}");

    private static ApiFixture fx;

    @BeforeAll
    static void start() {
        fx = ApiFixture.start(1.0);
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    @Test
    void everySeedBodyIsAcceptedWithAndWithoutContentType() {
        for (String body : SEED_BODIES) {
            JsonObject sent = new JsonObject(body);
            for (boolean withHeader : new boolean[] {true, false}) {
                ApiClient.Response r = withHeader ? fx.client.postJson("/experiments", body) : fx.client.postForm("/experiments", body);
                assertThat(r.status()).as("%s (Content-Type %s): %s", body, withHeader, r.body()).isEqualTo(201);
                assertThat(r.contentType()).startsWith("application/json");
                JsonObject e = r.json();
                String type = sent.getString("type");
                assertThat(e.getString("experiment_id")).matches("chaos_" + type + "_\\d+");
                assertThat(e.getString("type")).isEqualTo(type);
                assertThat(e.getString("status")).isIn("scheduled", "running");
                for (String key : sent.fieldNames()) {
                    if (!key.equals("type")) {
                        assertThat(e.getJsonObject("params").getValue(key)).as(key).isEqualTo(sent.getValue(key));
                    }
                }
                assertThat(e.getString("created_at")).isNotBlank();
                assertThat(e.getString("starts_at")).isNotBlank();
                assertThat(e.getString("ends_at")).isNotBlank();
                assertThat(e.getJsonObject("params").getInteger("duration_s")).isEqualTo(sent.getInteger("duration_s"));
                // defaults filled in
                switch (type) {
                    case "nats_latency" -> assertThat(e.getJsonObject("params").getString("direction")).isEqualTo("to_server");
                    case "load_test" -> assertThat(e.getJsonObject("params").getString("target_url")).endsWith("/webhook");
                    case "duplicate_messages" -> assertThat(e.getJsonObject("params").getString("mode")).isEqualTo("app");
                    default -> { }
                }
                String id = e.getString("experiment_id");
                assertThat(fx.client.delete("/experiments/" + id).json().getString("status")).isEqualTo("stopped");
            }
        }
        assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
    }

    @Test
    void latencyExamplesPastedOneAfterAnotherAllSucceedAndCleanupLoopLeavesNothing() {
        for (String body : SEED_BODIES.subList(0, 3)) {
            assertThat(fx.client.postJson("/experiments", body).status()).isEqualTo(201);
        }
        assertThat(fx.client.postJson("/experiments", SEED_BODIES.get(3)).status()).isEqualTo(201);
        ApiClient.Response conflict = fx.client.postJson("/experiments", SEED_BODIES.get(14));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().getString("message")).contains("agent").contains("chaos_service_failure_");
        Await.until("faults applied", Duration.ofSeconds(5), () -> RecordingInjector.applied(fx.recordingDir).size() == 4);

        // the seed's cleanup loop: list ids, DELETE each
        JsonArray all = fx.client.get("/experiments").json().getJsonArray("experiments");
        for (int i = 0; i < all.size(); i++) {
            ApiClient.Response r = fx.client.delete("/experiments/" + all.getJsonObject(i).getString("experiment_id"));
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(fx.client.get("/experiments?status=running").json().getJsonArray("experiments")).isEmpty();
        assertThat(fx.client.get("/experiments?status=scheduled").json().getJsonArray("experiments")).isEmpty();
        assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
        assertThat(fx.client.get("/healthz").json().getInteger("active_experiments")).isZero();
    }

    @Test
    void templatesCoverTheSeedAndPlansCarryStartAfter() {
        JsonArray templates = fx.client.get("/templates").json().getJsonArray("templates");
        List<String> names = templates.stream().map(o -> ((JsonObject) o).getString("name")).toList();
        assertThat(names).contains("mild_latency", "severe_latency", "agent_crash", "gateway_hang", "load_10x",
                "consumer_crash_50x", "high_rps", "duplicates_20pct", "chaos_engineering_suite", "production_readiness");
        JsonObject suite = templates.stream().map(o -> (JsonObject) o)
                .filter(t -> t.getString("name").equals("chaos_engineering_suite")).findFirst().orElseThrow();
        assertThat(suite.getString("type")).isEqualTo("plan");
        JsonArray steps = suite.getJsonObject("params").getJsonArray("experiments");
        assertThat(steps.stream().map(s -> ((JsonObject) s).getInteger("start_after_s")).toList()).containsExactly(0, 60, 120);
    }
}
