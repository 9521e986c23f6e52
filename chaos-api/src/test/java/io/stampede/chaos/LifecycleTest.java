package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    private static JsonObject await(ApiFixture fx, String id, String status) {
        Await.until(id + " " + status, Duration.ofSeconds(10), () -> fx.client.get("/experiments/" + id).json().getString("status").equals(status));
        return fx.client.get("/experiments/" + id).json();
    }

    @Test
    void expiresWithin100msOfDuration() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            JsonObject e = fx.client.postJson("/experiments", "{\"type\":\"nats_latency\",\"delay_ms\":10,\"duration_s\":1}").json();
            String id = e.getString("experiment_id");
            JsonObject done = await(fx, id, "completed");
            long faultMs = Duration.between(Instant.parse(done.getString("starts_at")), Instant.parse(done.getString("reverted_at"))).toMillis();
            assertThat(faultMs).isBetween(1000L, 1100L);
            assertThat(done.getString("fault")).isEqualTo("reverted");
            assertThat(done.getString("reason")).isEqualTo("duration elapsed");
            assertThat(RecordingInjector.events(fx.recordingDir)).containsExactly("apply " + id, "revert " + id);

            List<String> timeline = lines(Path.of(done.getString("run_dir")).resolve("timeline.jsonl"));
            assertThat(timeline).containsSubsequence("scheduled", "started", "applied", "reverted", "ended");
        }
    }

    @Test
    void deleteRevertsBeforeAnsweringAndIsIdempotent() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            String id = fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":3,\"duration_s\":600}").json().getString("experiment_id");
            JsonObject running = await(fx, id, "running");
            assertThat(running.getJsonObject("stats").getBoolean("recording")).isTrue();
            assertThat(RecordingInjector.applied(fx.recordingDir)).containsExactly(id);
            JsonObject stopped = fx.client.delete("/experiments/" + id).json();
            // by the time DELETE answered, the revert had happened
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
            assertThat(stopped.getString("status")).isEqualTo("stopped");
            assertThat(stopped.getString("reverted_at")).isNotNull();
            ApiClient.Response again = fx.client.delete("/experiments/" + id);
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.json().getString("status")).isEqualTo("stopped");
            assertThat(RecordingInjector.events(fx.recordingDir)).containsExactly("apply " + id, "revert " + id);
        }
    }

    @Test
    void startAfterSchedulesAndDeleteOfScheduledNeverApplies() {
        try (ApiFixture fx = ApiFixture.start(0.01)) {
            // 100 s × 0.01 = 1 s from now
            JsonObject e = fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":50,\"start_after_s\":100}").json();
            assertThat(e.getString("status")).isEqualTo("scheduled");
            long lead = Duration.between(Instant.parse(e.getString("created_at")), Instant.parse(e.getString("starts_at"))).toMillis();
            assertThat(lead).isBetween(990L, 1010L);
            String later = fx.client.postJson("/experiments", "{\"type\":\"nats_latency\",\"delay_ms\":1,\"duration_s\":50,\"start_after_s\":1000}").json().getString("experiment_id");
            assertThat(fx.client.delete("/experiments/" + later).json().getString("status")).isEqualTo("stopped");
            String id = e.getString("experiment_id");
            await(fx, id, "running");
            JsonObject done = await(fx, id, "completed");
            assertThat(Duration.between(Instant.parse(done.getString("applied_at")), Instant.now()).toMillis()).isLessThan(5000);
            assertThat(RecordingInjector.events(fx.recordingDir)).containsExactly("apply " + id, "revert " + id);
        }
    }

    @Test
    void planTemplateCreatesEveryStepAtItsTime() {
        try (ApiFixture fx = ApiFixture.start(0.01)) {
            ApiClient.Response r = fx.client.postForm("/experiments", "{\"template\":\"chaos_engineering_suite\"}");
            assertThat(r.status()).isEqualTo(201);
            JsonObject plan = r.json();
            assertThat(plan.getString("plan_id")).matches("plan_\\d+");
            JsonArray steps = plan.getJsonArray("experiments");
            assertThat(steps).hasSize(3);
            Instant created = Instant.parse(steps.getJsonObject(0).getString("created_at"));
            long[] offsets = new long[3];
            for (int i = 0; i < 3; i++) {
                offsets[i] = Duration.between(created, Instant.parse(steps.getJsonObject(i).getString("starts_at"))).toMillis();
                assertThat(steps.getJsonObject(i).getString("plan_id")).isEqualTo(plan.getString("plan_id"));
            }
            assertThat(offsets[0]).isBetween(0L, 10L);
            assertThat(offsets[1]).isBetween(595L, 605L);
            assertThat(offsets[2]).isBetween(1195L, 1205L);
            for (int i = 0; i < 3; i++) {
                await(fx, steps.getJsonObject(i).getString("experiment_id"), "completed");
            }
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
            Path planTimeline = fx.config.runsDir().resolve(plan.getString("plan_id")).resolve("timeline.jsonl");
            assertThat(lines(planTimeline).stream().filter(l -> l.equals("applied")).count()).isEqualTo(3);

            JsonObject single = fx.client.postJson("/experiments", "{\"template\":\"mild_latency\",\"delay_ms\":80}").json();
            assertThat(single.getJsonObject("params").getInteger("delay_ms")).isEqualTo(80);
            assertThat(single.getJsonObject("params").getDouble("jitter_pct")).isEqualTo(0.2);
        }
    }

    @Test
    void concurrentPostAndDeleteLeaveNoFaultApplied() throws Exception {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            ExecutorService pool = Executors.newFixedThreadPool(32);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    String body = n % 2 == 0
                            ? "{\"type\":\"nats_latency\",\"delay_ms\":" + n + ",\"duration_s\":600}"
                            : "{\"type\":\"duplicate_messages\",\"duplicate_rate\":0.1,\"duration_s\":600}";
                    ApiClient.Response r = fx.client.postJson("/experiments", body);
                    if (r.status() != 201) {
                        return r.status();
                    }
                    if (n % 3 == 0) {
                        Thread.sleep(n % 7);
                    }
                    return fx.client.delete("/experiments/" + r.json().getString("experiment_id")).status();
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(200);
            }
            pool.shutdown();
            assertThat(fx.client.get("/healthz").json().getInteger("active_experiments")).isZero();
            assertThat(RecordingInjector.applied(fx.recordingDir)).isEmpty();
            JsonArray all = fx.client.get("/experiments").json().getJsonArray("experiments");
            assertThat(all).hasSize(200);
            assertThat(all.stream().map(o -> ((JsonObject) o).getString("experiment_id")).distinct().count()).isEqualTo(200);
            String metrics = fx.client.get("/metrics").body();
            assertThat(metrics).contains("stampede_experiments{state=\"stopped\",type=\"nats_latency\"} 100.0");
            assertThat(metrics).contains("stampede_active_faults 0.0");
        }
    }

    @Test
    void logLinesAboutAnExperimentCarryItsIdAndType() throws Exception {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            String id = fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":30}").json().getString("experiment_id");
            fx.client.delete("/experiments/" + id);
            Path log = Path.of("target/test-log.jsonl");
            List<JsonObject> mine = Files.readAllLines(log).stream().map(JsonObject::new)
                    .filter(o -> id.equals(o.getString("_chaos_experiment_id"))).toList();
            assertThat(mine).isNotEmpty();
            assertThat(mine).allMatch(o -> "backpressure".equals(o.getString("_chaos_type")));
            assertThat(mine.stream().map(o -> o.getString("message"))).anyMatch(m -> m.contains("scheduled")).anyMatch(m -> m.contains("stopped"));
        }
    }

    /** The events of a timeline.jsonl, read through the reports module's reader. */
    static List<String> lines(Path timeline) {
        if (!Files.isDirectory(timeline.getParent())) {
            return List.of();
        }
        io.stampede.reports.RunReader r = io.stampede.reports.RunReader.open(timeline.getParent());
        List<String> events = r.timeline().stream().map(io.stampede.reports.TimelineEvent::event).toList();
        assertThat(r.problems()).as("timeline lines that do not parse").isEmpty();
        return events;
    }

    /** A plan's verdict.json and report.html appear when its last step settles, with nobody asking for the plan. */
    @Test
    void aPlanWritesItsFinalFilesWithoutBeingAsked() {
        try (ApiFixture fx = ApiFixture.start(0.01)) {
            JsonObject plan = fx.client.postJson("/experiments", "{\"experiments\":["
                    + "{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":20},"
                    + "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":30,\"start_after_s\":10}]}").json();
            Path dir = fx.config.runsDir().resolve(plan.getString("plan_id"));
            Await.until("plan verdict.json written", Duration.ofSeconds(20), () -> Files.exists(dir.resolve("verdict.json")));
            // written right after verdict.json (the report shows it), by the same thread
            Await.until("plan report.html written", Duration.ofSeconds(10), () -> Files.exists(dir.resolve("report.html")));
            assertThat(new JsonObject(readString(dir.resolve("verdict.json"))).getBoolean("final")).isTrue();
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
