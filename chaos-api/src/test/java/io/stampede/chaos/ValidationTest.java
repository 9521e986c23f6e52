package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.chaos.experiment.NatsLatency;
import io.stampede.chaos.inject.Injectors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input gets a JSON error naming the field, never a 5xx, and nothing is started. */
class ValidationTest {
    private static ApiFixture fx;

    @BeforeAll
    static void start() {
        fx = ApiFixture.start(1.0);
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    private static JsonObject rejected(String body, int status) {
        ApiClient.Response r = fx.client.postJson("/experiments", body);
        assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonObject e = r.json();
        assertThat(e.getString("error")).isNotBlank();
        assertThat(e.getString("message")).isNotBlank();
        assertThat(e.getJsonArray("details")).isNotNull();
        return e;
    }

    private static List<String> fields(JsonObject error) {
        JsonArray d = error.getJsonArray("details");
        return d.stream().map(o -> ((JsonObject) o).getString("field")).toList();
    }

    @Test
    void namesEveryBadField() {
        int before = fx.client.get("/experiments").json().getJsonArray("experiments").size();
        assertThat(fields(rejected("{\"type\":\"nats_latency\",\"delay_ms\":\"100\",\"duration_s\":0,\"jitter_pct\":2,\"direction\":\"up\",\"colour\":1}", 400)))
                .containsExactlyInAnyOrder("delay_ms", "duration_s", "jitter_pct", "direction", "colour");
        assertThat(fields(rejected("{\"type\":\"nats_latency\"}", 400))).containsExactlyInAnyOrder("delay_ms", "duration_s");
        assertThat(fields(rejected("{\"type\":\"backpressure\",\"rate_multiplier\":0,\"duration_s\":60.5}", 400)))
                .containsExactlyInAnyOrder("rate_multiplier", "duration_s");
        assertThat(fields(rejected("{\"type\":\"backpressure\",\"rate_multiplier\":1001,\"duration_s\":86401}", 400)))
                .containsExactlyInAnyOrder("rate_multiplier", "duration_s");
        assertThat(fields(rejected("{\"type\":\"service_failure\",\"service\":\"database\",\"failure_type\":\"melt\",\"duration_s\":5}", 400)))
                .containsExactlyInAnyOrder("service", "failure_type");
        assertThat(fields(rejected("{\"type\":\"load_test\",\"rps\":5001,\"duration_s\":5,\"payload_size\":15}", 400)))
                .containsExactlyInAnyOrder("rps", "payload_size");
        assertThat(fields(rejected("{\"type\":\"load_test\",\"rps\":5,\"duration_s\":5,\"target_url\":\"http://example.com/webhook\"}", 400)))
                .containsExactly("target_url");
        assertThat(fields(rejected("{\"type\":\"duplicate_messages\",\"duplicate_rate\":0,\"duration_s\":5,\"mode\":\"both\"}", 400)))
                .containsExactlyInAnyOrder("duplicate_rate", "mode");
        assertThat(fields(rejected("{\"type\":\"teleport\",\"duration_s\":5}", 400))).containsExactly("type");
        assertThat(fields(rejected("{\"duration_s\":5}", 400))).containsExactly("type");
        assertThat(fields(rejected("{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":5,\"abort_if\":{\"error_rate_pct\":\"x\",\"nope\":1}}", 400)))
                .containsExactlyInAnyOrder("abort_if.error_rate_pct", "abort_if.nope");
        assertThat(fields(rejected("{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":5,\"abort_if\":{\"target_down_s\":{\"db\":3,\"agent\":0}}}", 400)))
                .containsExactlyInAnyOrder("abort_if.target_down_s.db", "abort_if.target_down_s.agent");
        assertThat(fields(rejected("{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":5,\"start_after_s\":-1}", 400)))
                .containsExactly("start_after_s");
        assertThat(fields(rejected("{\"template\":\"no_such\"}", 400))).containsExactly("template");
        assertThat(fields(rejected("{\"template\":\"chaos_engineering_suite\",\"delay_ms\":3}", 400))).containsExactly("delay_ms");
        assertThat(fields(rejected("{\"experiments\":[{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":5},{\"type\":\"backpressure\"}]}", 400)))
                .containsExactlyInAnyOrder("experiments[1].rate_multiplier", "experiments[1].duration_s");
        assertThat(fx.client.get("/experiments").json().getJsonArray("experiments")).as("nothing created by rejected bodies").hasSize(before);
    }

    @Test
    void messageFaultsSubjectsAndBusDuplicatesAreValidatedLikeTheOthers() {
        assertThat(fields(rejected("{\"type\":\"message_faults\",\"duration_s\":5,\"subject\":\"a.>.b\",\"direction\":\"up\","
                + "\"drop_rate\":2,\"duplicate_rate\":-1,\"reorder_window_ms\":60001,\"delay_ms\":1.5}", 400)))
                .containsExactlyInAnyOrder("subject", "direction", "drop_rate", "duplicate_rate", "reorder_window_ms", "delay_ms");
        assertThat(fields(rejected("{\"type\":\"message_faults\",\"duration_s\":5}", 400))).containsExactly("subject");
        assertThat(fields(rejected("{\"type\":\"message_faults\",\"duration_s\":5,\"subject\":\"x\"}", 400))).containsExactly("drop_rate");
        assertThat(fields(rejected("{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":5,\"subject\":\"a b\"}", 400)))
                .containsExactly("subject");
        assertThat(fields(rejected("{\"type\":\"duplicate_messages\",\"duplicate_rate\":0.1,\"duration_s\":5,\"source\":\"bus\",\"mode\":\"app\"}", 400)))
                .containsExactly("mode");
        assertThat(fields(rejected("{\"type\":\"duplicate_messages\",\"duplicate_rate\":0.1,\"duration_s\":5,\"source\":\"tap\",\"subject\":\"x\"}", 400)))
                .containsExactlyInAnyOrder("source", "subject");
        ApiClient.Response ok = fx.client.postJson("/experiments", "{\"type\":\"message_faults\",\"duration_s\":5,\"subject\":\"orders.*\","
                + "\"direction\":\"to_client\",\"drop_rate\":0.1,\"client\":\"agent\"}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        JsonObject params = ok.json().getJsonObject("params");
        assertThat(params.getString("subject")).isEqualTo("orders.*");
        assertThat(params.getString("direction")).isEqualTo("to_client");
        assertThat(params.getString("client")).isEqualTo("agent");
        assertThat(params.getInteger("reorder_window_ms")).isZero();
        fx.client.delete("/experiments/" + ok.json().getString("experiment_id"));
        ApiClient.Response bus = fx.client.postJson("/experiments",
                "{\"type\":\"duplicate_messages\",\"duration_s\":5,\"duplicate_rate\":0.5,\"source\":\"bus\"}");
        assertThat(bus.status()).as(bus.body()).isEqualTo(201);
        assertThat(bus.json().getJsonObject("params").getString("subject")).isEqualTo(">");
        fx.client.delete("/experiments/" + bus.json().getString("experiment_id"));
    }

    @Test
    void badBodies() {
        assertThat(rejected("{not json", 400).getString("error")).isEqualTo("bad_json");
        rejected("", 400);
        rejected("[1,2]", 400);
        rejected("\"text\"", 400);
        rejected("null", 400);
        ApiClient.Response big = fx.client.postJson("/experiments", "{\"type\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.json().getString("error")).isEqualTo("payload_too_large");
        ApiClient.Response utf = fx.client.postBytes("/experiments", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, null);
        assertThat(utf.status()).isEqualTo(400);
    }

    @Test
    void unknownRoutesIdsAndMethods() {
        ApiClient.Response r = fx.client.get("/experiments/chaos_backpressure_1");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().getString("error")).isEqualTo("not_found");
        assertThat(fx.client.delete("/experiments/chaos_backpressure_1").status()).isEqualTo(404);
        assertThat(fx.client.get("/nothing").json().getString("error")).isEqualTo("not_found");
        ApiClient.Response put = fx.client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + fx.api.port() + "/experiments")).PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.json().getString("error")).isEqualTo("method_not_allowed");
        assertThat(fx.client.get("/experiments?status=sleeping").status()).isEqualTo(400);
    }

    @Test
    void rateCapAnswers409NamingTheCap() {
        // baseline 100 msg/s × 50 × 50 = 250 000 > 100 000
        String id = fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":50,\"duration_s\":60}").json().getString("experiment_id");
        JsonObject e = rejected("{\"type\":\"backpressure\",\"rate_multiplier\":50,\"duration_s\":60}", 409);
        assertThat(e.getString("error")).isEqualTo("rate_cap");
        assertThat(e.getString("message")).contains("100000");
        fx.client.delete("/experiments/" + id);
    }

    @Test
    void typeWithoutInjectorAnswers501AndStartsNothing() {
        Injectors onlyLatency = Injectors.of(new RecordingInjector<>(NatsLatency.class, ApiFixture.tempDir(), 0));
        ChaosConfig cfg = ApiFixture.config(ApiFixture.tempDir(), 1.0);
        try (ApiFixture partial = ApiFixture.start(cfg, onlyLatency, null)) {
            ApiClient.Response r = partial.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":5}");
            assertThat(r.status()).isEqualTo(501);
            assertThat(r.json().getString("error")).isEqualTo("not_implemented");
            assertThat(partial.client.get("/experiments").json().getJsonArray("experiments")).isEmpty();
            assertThat(partial.client.postJson("/experiments", "{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":5}").status()).isEqualTo(201);
        }
    }
}
