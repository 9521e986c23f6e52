package io.stampede.chaos.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.RecordingInjector;
import io.stampede.chaos.RecordingInjectorFactory;
import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The journal and the revert path: a torn journal, a journal that cannot be written, a revert that keeps failing. */
class LifecycleSafetyTest {
    static final String HANG = "{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"hang\",\"duration_s\":600}";

    private static String start(ApiFixture fx) {
        String id = fx.client.postJson("/experiments", HANG).json().getString("experiment_id");
        Await.until("applied", Duration.ofSeconds(10), () -> RecordingInjector.applied(fx.recordingDir).contains(id));
        return id;
    }

    @Test
    void aJournalThatCannotBeWrittenNeverKeepsAFaultApplied() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            String id = start(fx);
            fx.api.manager().journal().close(); // every write now fails, as on a full disk
            var stopped = fx.client.delete("/experiments/" + id);
            assertThat(stopped.status()).isEqualTo(200);
            assertThat(stopped.json().getString("fault")).isEqualTo("reverted");
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
            JsonObject health = fx.client.get("/healthz").json();
            assertThat(health.getString("status")).isEqualTo("degraded");
            assertThat(health.getJsonObject("journal").getLong("write_failures")).isPositive();
            // nothing new starts without its record on disk
            var refused = fx.client.postJson("/experiments", HANG);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.json().getString("error")).isEqualTo("journal_unavailable");
        }
    }

    @Test
    void aFailingRevertIsRetriedWithBackoffUntilItSucceeds() throws Exception {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            String id = start(fx);
            // the next 5 reverts fail: 3 quick ones before DELETE answers, then the background ones
            Files.writeString(fx.recordingDir.resolve("fail-revert"), "5");
            var stopped = fx.client.delete("/experiments/" + id);
            assertThat(stopped.status()).isEqualTo(200);
            assertThat(stopped.json().getString("status")).isEqualTo("stopped");
            assertThat(stopped.json().getString("fault")).isEqualTo("reverting");
            assertThat(stopped.json().getString("revert_error")).contains("refused on purpose");
            JsonObject health = fx.client.get("/healthz").json();
            assertThat(health.getString("status")).isEqualTo("degraded");
            assertThat(health.getJsonArray("pending_reverts").getJsonObject(0).getString("experiment_id")).isEqualTo(id);
            assertThat(fx.client.get("/metrics").body()).contains("stampede_active_faults 1.0");
            // the same service stays busy while its fault may still be applied
            assertThat(fx.client.postJson("/experiments", HANG).status()).isEqualTo(409);

            Await.until("reverted in the background", Duration.ofSeconds(20),
                    () -> "reverted".equals(fx.client.get("/experiments/" + id).json().getString("fault")));
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
            assertThat(RecordingInjector.events(fx.recordingDir).stream().filter(l -> l.startsWith("revert-failed"))).hasSize(5);
            JsonObject after = fx.client.get("/healthz").json();
            assertThat(after.getJsonArray("pending_reverts")).isEmpty();
            assertThat(after.getString("status")).isEqualTo("ok");
            assertThat(fx.client.get("/metrics").body()).contains("stampede_active_faults 0.0");
        }
    }

    @Test
    void historyAndRunDirectoriesAreBounded() throws Exception {
        ChaosConfig base = ApiFixture.config(ApiFixture.tempDir(), 0.01);
        ChaosConfig.Bounds b = base.bounds();
        ChaosConfig cfg = base.withBounds(new ChaosConfig.Bounds(b.maxActive(), b.maxLoadTests(), 3, 2, b.allowedHosts(),
                b.loadTargets(), b.minMessageRate()));
        Path rec = cfg.dataDir().resolve("recording");
        try (ApiFixture fx = ApiFixture.start(cfg, RecordingInjectorFactory.injectors(rec), rec)) {
            for (int i = 0; i < 6; i++) {
                String id = fx.client.postJson("/experiments", "{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":1}")
                        .json().getString("experiment_id");
                Await.until("done", Duration.ofSeconds(10), () -> fx.client.get("/experiments/" + id).status() == 404
                        || "completed".equals(fx.client.get("/experiments/" + id).json().getString("status")));
            }
            Await.until("trimmed", Duration.ofSeconds(5),
                    () -> fx.client.get("/experiments").json().getJsonArray("experiments").size() == 3);
            try (var dirs = Files.list(cfg.runsDir())) {
                assertThat(dirs.filter(p -> p.getFileName().toString().startsWith("chaos_")).count()).isLessThanOrEqualTo(2);
            }
        }
    }
}
