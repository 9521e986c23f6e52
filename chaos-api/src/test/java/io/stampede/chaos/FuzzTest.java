package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random and mutated bodies: every answer is a JSON 4xx (or 201 when a mutation
 * happens to be valid), and the server stays healthy and leaves nothing applied.
 */
class FuzzTest {
    private static final Random RANDOM = new Random(42);
    private static final Object[] JUNK = {null, true, false, 0, -1, 1.5, 1e308, -1e308, Long.MAX_VALUE, "", "x", "crash",
        "nats_latency", "backpressure", new JsonArray().add(1), new JsonObject().put("a", new JsonObject().put("b", 1)),
        "12345678901234567890123456789012345678901234567890", 0.0000001, 86400, 86401, 60000, 60001};
    private static final String[] KEYS = {"type", "delay_ms", "duration_s", "jitter_pct", "direction", "service",
        "failure_type", "rate_multiplier", "rps", "payload_size", "target_url", "duplicate_rate", "duplicate_delay_ms",
        "mode", "start_after_s", "abort_if", "template", "experiments", "zzz"};

    @Test
    void randomAndMutatedBodiesNeverCauseA5xx() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            List<String> created = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            for (String seed : SeedScenariosTest.SEED_BODIES) {
                for (int i = 0; i < 120; i++) {
                    bodies.add(mutate(new JsonObject(seed)).encode().getBytes(StandardCharsets.UTF_8));
                }
            }
            for (int i = 0; i < 600; i++) {
                bodies.add(randomBytes());
            }
            bodies.add("{\"a\":".repeat(5000).getBytes(StandardCharsets.UTF_8)); // deep nesting
            bodies.add(("{\"type\":\"backpressure\",\"rate_multiplier\":1" + "0".repeat(2000) + ",\"duration_s\":5}").getBytes(StandardCharsets.UTF_8));
            bodies.add(new byte[1 << 20]); // 1 MiB of zeros
            bodies.add(new byte[0]);
            int ok = 0;
            for (byte[] body : bodies) {
                ApiClient.Response r = fx.client.postBytes("/experiments", body, RANDOM.nextBoolean() ? "application/json" : null);
                assertThat(r.status()).as(new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8) + " → " + r.body())
                        .isIn(201, 400, 409, 413, 429);
                JsonObject json = r.json();
                if (r.status() == 201) {
                    ok++;
                    if (json.containsKey("plan_id")) {
                        json.getJsonArray("experiments").forEach(e -> created.add(((JsonObject) e).getString("experiment_id")));
                    } else {
                        created.add(json.getString("experiment_id"));
                    }
                } else {
                    assertThat(json.getString("error")).isNotBlank();
                    assertThat(json.getJsonArray("details")).isNotNull();
                }
            }
            assertThat(bodies.size()).isGreaterThan(2500);
            assertThat(fx.client.get("/healthz").status()).isEqualTo(200);
            assertThat(fx.client.delete("/experiments").status()).isEqualTo(200);
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
            assertThat(ok).as("some mutations stay valid").isPositive();
        }
    }

    private static JsonObject mutate(JsonObject o) {
        int n = 1 + RANDOM.nextInt(3);
        for (int i = 0; i < n; i++) {
            switch (RANDOM.nextInt(4)) {
                case 0 -> o.put(KEYS[RANDOM.nextInt(KEYS.length)], JUNK[RANDOM.nextInt(JUNK.length)]);
                case 1 -> {
                    List<String> names = new ArrayList<>(o.fieldNames());
                    if (!names.isEmpty()) {
                        o.remove(names.get(RANDOM.nextInt(names.size())));
                    }
                }
                case 2 -> o.put("nested", new JsonObject().put("x", new JsonArray().add(new JsonObject().put("y", JUNK[RANDOM.nextInt(JUNK.length)]))));
                default -> { } // keep: stays valid sometimes
            }
        }
        return o;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[RANDOM.nextInt(200)];
        RANDOM.nextBytes(b);
        if (b.length > 0 && RANDOM.nextBoolean()) {
            b[0] = '{';
        }
        return b;
    }
}
