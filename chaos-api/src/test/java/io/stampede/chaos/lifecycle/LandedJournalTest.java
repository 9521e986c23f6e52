package io.stampede.chaos.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.chaos.ApiClient;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.RecordingInjector;
import io.stampede.chaos.RecordingInjectorFactory;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A journal written by the landed version (before the spec codec) still recovers: every
 * experiment comes back with the same type, params, abort_if and plan, and every fault it left
 * applied is reverted. {@code journal/landed-format.jsonl} was written by that version after a
 * kill -9 with experiments of every type applied (one stopped, two scheduled, a plan of two); its
 * data directory reads {@code @DATA_DIR@}.
 */
class LandedJournalTest {

    @Test
    void aJournalOfTheLandedFormatRecoversEveryTypeAndRevertsWhatWasApplied() throws Exception {
        Path data = ApiFixture.tempDir();
        Path rec = data.resolve("recording");
        String text;
        try (InputStream in = LandedJournalTest.class.getResourceAsStream("/journal/landed-format.jsonl")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@DATA_DIR@", data.toString());
        }
        Path journal = data.resolve("chaos").resolve("journal.jsonl");
        Files.createDirectories(journal.getParent());
        Files.writeString(journal, text);
        Map<String, JsonObject> last = new LinkedHashMap<>();
        text.lines().map(JsonObject::new).map(r -> r.getJsonObject("experiment"))
                .forEach(e -> last.put(e.getString("experiment_id"), e));
        assertThat(last.values().stream().map(e -> e.getString("type")).distinct())
                .containsExactlyInAnyOrder("nats_latency", "message_faults", "service_failure", "backpressure", "load_test",
                        "duplicate_messages");
        List<String> applied = last.values().stream().filter(e -> e.getString("fault").equals("applied"))
                .map(e -> e.getString("experiment_id")).toList();
        assertThat(applied).hasSize(8 - 1);

        try (ApiFixture fx = ApiFixture.start(ApiFixture.config(data, 1.0), RecordingInjectorFactory.injectors(rec), rec)) {
            for (JsonObject before : last.values()) {
                String id = before.getString("experiment_id");
                ApiClient.Response r = fx.client.get("/experiments/" + id);
                assertThat(r.status()).as(id).isEqualTo(200);
                JsonObject now = r.json();
                assertThat(now.getString("type")).as(id).isEqualTo(before.getString("type"));
                assertThat(now.getJsonObject("params")).as(id).isEqualTo(before.getJsonObject("params"));
                assertThat(now.getJsonObject("abort_if")).as(id).isEqualTo(before.getJsonObject("abort_if"));
                assertThat(now.getString("plan_id")).as(id).isEqualTo(before.getString("plan_id"));
                assertThat(now.getString("run_dir")).as(id).isEqualTo(before.getString("run_dir"));
                assertThat(now.getString("created_at")).as(id).isEqualTo(before.getString("created_at"));
                if (before.getString("status").equals("stopped")) {
                    assertThat(now.getString("status")).as(id).isEqualTo("stopped");
                    assertThat(now.getString("fault")).as(id).isEqualTo("reverted");
                } else {
                    assertThat(now.getString("status")).as(id).isEqualTo("aborted");
                    assertThat(now.getString("fault")).as(id).isEqualTo(applied.contains(id) ? "reverted" : "none");
                }
            }
            assertThat(RecordingInjector.events(rec)).containsExactlyInAnyOrderElementsOf(
                    applied.stream().map(id -> "revert " + id).toList());
        }
    }
}
