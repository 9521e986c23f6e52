package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.FreePorts;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chaos API as a real process: kill -9 and SIGTERM must both end with every fault reverted. */
class CrashRecoveryTest {

    private static ChildJvm startApi(int port, Path data) {
        ChildJvm jvm = ChildJvm.start(ChaosApiMain.class, Map.of(
                "STAMPEDE_PORT", Integer.toString(port),
                "STAMPEDE_DATA_DIR", data.toString(),
                "STAMPEDE_INJECTORS", "recording",
                "STAMPEDE_RECORDING_DIR", data.resolve("recording").toString(),
                "STAMPEDE_SERVICE", "chaos-api",
                "STAMPEDE_TEST_LOG", data.resolve("child-test-log.jsonl").toString()));
        ApiClient client = new ApiClient(port);
        Await.until("chaos API up", Duration.ofSeconds(30), () -> {
            if (!jvm.isAlive()) {
                throw new AssertionError("chaos API exited:\n" + jvm.log());
            }
            return FreePorts.isListening(port) && client.get("/healthz").status() == 200;
        });
        return jvm;
    }

    @Test
    void killNineDuringExperimentThenRestartRevertsAndAborts() {
        Path data = ApiFixture.tempDir();
        Path rec = data.resolve("recording");
        int port = FreePorts.next();
        ApiClient client = new ApiClient(port);
        try (ChildJvm api = startApi(port, data)) {
            String running = client.postJson("/experiments", "{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"hang\",\"duration_s\":600}")
                    .json().getString("experiment_id");
            String scheduled = client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":60,\"start_after_s\":3600}")
                    .json().getString("experiment_id");
            Await.until("fault applied", Duration.ofSeconds(10), () -> RecordingInjector.applied(rec).contains(running));

            api.kill9();
            assertThat(RecordingInjector.applied(rec)).as("a crash leaves the fault applied").containsExactly(running);

            api.restart();
            Await.until("restarted", Duration.ofSeconds(30), () -> FreePorts.isListening(port) && client.get("/healthz").status() == 200);
            assertThat(RecordingInjector.applied(rec)).as("reverted on the next start").isEmpty();
            JsonObject r = client.get("/experiments/" + running).json();
            assertThat(r.getString("status")).isEqualTo("aborted");
            assertThat(r.getString("reason")).contains("restarted");
            assertThat(r.getString("fault")).isEqualTo("reverted");
            JsonObject s = client.get("/experiments/" + scheduled).json();
            assertThat(s.getString("status")).isEqualTo("aborted");
            assertThat(s.getString("fault")).isEqualTo("none");
            assertThat(RecordingInjector.events(rec)).containsExactly("apply " + running, "revert " + running);

            // ids stay unique across restarts; the same service is free again
            String next = client.postJson("/experiments", "{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"hang\",\"duration_s\":600}")
                    .json().getString("experiment_id");
            assertThat(Long.parseLong(next.substring(next.lastIndexOf('_') + 1)))
                    .isGreaterThan(Long.parseLong(scheduled.substring(scheduled.lastIndexOf('_') + 1)));
            assertThat(client.get("/experiments").json().getJsonArray("experiments")).hasSize(3);
        }
        // close() sent SIGTERM: the third experiment was reverted on the way out
        assertThat(RecordingInjector.applied(rec)).isEmpty();
    }

    @Test
    void sigtermRevertsEveryActiveFault() {
        Path data = ApiFixture.tempDir();
        Path rec = data.resolve("recording");
        int port = FreePorts.next();
        ApiClient client = new ApiClient(port);
        ChildJvm api = startApi(port, data);
        try {
            for (String body : SeedScenariosTest.SEED_BODIES.subList(0, 9)) {
                assertThat(client.postJson("/experiments", body).status()).isEqualTo(201);
            }
            Await.until("9 faults applied", Duration.ofSeconds(10), () -> RecordingInjector.applied(rec).size() == 9);
        } finally {
            api.close(); // SIGTERM, waits for exit
        }
        assertThat(api.isAlive()).isFalse();
        assertThat(RecordingInjector.applied(rec)).isEmpty();
        assertThat(api.log()).contains("reverting active faults");
        // the journal says they were stopped by the shutdown: a restart finds nothing to recover
        try (ChildJvm again = startApi(port, data)) {
            assertThat(client.get("/experiments?status=stopped").json().getJsonArray("experiments")).hasSize(9);
            assertThat(again.log()).doesNotContain("recovered");
        }
    }

    @Test
    void aJournalTornByACrashIsSkippedTheFaultRevertedAndTheJournalCompacted() throws Exception {
        Path data = ApiFixture.tempDir();
        Path rec = data.resolve("recording");
        Path journal = data.resolve("chaos").resolve("journal.jsonl");
        int port = FreePorts.next();
        ApiClient client = new ApiClient(port);
        String hang = "{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"hang\",\"duration_s\":600}";
        try (ChildJvm api = startApi(port, data)) {
            String id = client.postJson("/experiments", hang).json().getString("experiment_id");
            Await.until("fault applied", Duration.ofSeconds(10), () -> RecordingInjector.applied(rec).contains(id));
            api.kill9();
            long before = Files.readAllLines(journal).size();
            // the crash came mid-write: half a record ending in half a UTF-8 character, no newline
            byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
            Files.write(journal, ("{\"ts\":\"2026-12-01T00:00:00Z\",\"event\":\"reverting\",\"experiment\":{\"reason\":\"x")
                    .getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
            Files.write(journal, new byte[] {euro[0], euro[1]}, StandardOpenOption.APPEND);

            api.restart();
            Await.until("restarted despite the torn line", Duration.ofSeconds(30), () -> {
                if (!api.isAlive()) {
                    throw new AssertionError("chaos API exited on the torn journal:\n" + api.log());
                }
                return FreePorts.isListening(port) && client.get("/healthz").status() == 200;
            });
            assertThat(RecordingInjector.applied(rec)).as("the hang was reverted").isEmpty();
            JsonObject e = client.get("/experiments/" + id).json();
            assertThat(e.getString("status")).isEqualTo("aborted");
            assertThat(e.getString("fault")).isEqualTo("reverted");
            JsonObject health = client.get("/healthz").json().getJsonObject("journal");
            assertThat(health.getInteger("skipped_lines_at_start")).isEqualTo(1);
            assertThat(health.getBoolean("torn_tail_at_start")).isTrue();
            // compacted to one record per experiment, each line complete
            assertThat(before).isGreaterThan(1);
            assertThat(Files.readAllLines(journal)).hasSize(1).allSatisfy(JsonObject::new);
            // the next record starts on a line of its own
            String next = client.postJson("/experiments", "{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":600}")
                    .json().getString("experiment_id");
            Await.until("applied", Duration.ofSeconds(10), () -> RecordingInjector.applied(rec).contains(next));
            assertThat(Files.readAllLines(journal)).allSatisfy(JsonObject::new);

            api.kill9();
            api.restart();
            Await.until("restarted again", Duration.ofSeconds(30), () -> FreePorts.isListening(port) && client.get("/healthz").status() == 200);
            assertThat(client.get("/experiments/" + id).json().getString("status")).as("still listed after compaction").isEqualTo("aborted");
            assertThat(client.get("/experiments/" + next).json().getString("status")).isEqualTo("aborted");
            assertThat(RecordingInjector.applied(rec)).isEmpty();
        }
    }
}
