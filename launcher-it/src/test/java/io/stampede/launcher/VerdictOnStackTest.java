package io.stampede.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 on the real stack of {@code ./stampede up} (baseline traffic on, demo agent as a real
 * process): a hang of the agent makes the signals sent meanwhile overdue — never lost — and once
 * it is thawed and its backlog drained the verdict is final: nothing lost or processed twice,
 * pass, with a catch-up time; verdict.json is in the run directory.
 */
class VerdictOnStackTest {
    private static LauncherStack stack;

    @BeforeAll
    static void up() {
        stack = new LauncherStack();
        // the real default: baseline traffic on (LauncherStack turns it off for the other tests)
        LauncherStack.Run up = stack.run(Duration.ofSeconds(150), java.util.Map.of("STAMPEDE_BASELINE", "on"), "up");
        assertThat(up.exitCode()).as("up:\n%s%s", up.output(), stack.logs()).isZero();
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.down();
        }
    }

    private static JsonObject experiment(String id) {
        return new JsonObject(stack.get(stack.stampedePort, "/experiments/" + id).body());
    }

    @Test
    void agentHangIsOverdueDuringAndPassesAfterItsBacklogDrains() throws Exception {
        // the baseline traffic connects in the background: a backpressure POST answers 409 until then
        String[] last = new String[1];
        try {
            Await.until("baseline traffic running", Duration.ofSeconds(30), () -> {
                var r = stack.get(stack.stampedePort, "/baseline");
                last[0] = r.statusCode() + " " + r.body();
                return r.statusCode() == 200 && new JsonObject(r.body()).getString("status").equals("running");
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last GET /baseline: " + last[0] + "\n" + stack.logs(), e);
        }
        var created = stack.post(stack.stampedePort, "/experiments",
                "{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"hang\",\"duration_s\":4}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = new JsonObject(created.body()).getString("experiment_id");

        AtomicLong overdueSeen = new AtomicLong();
        Await.until("overdue while the agent is frozen", Duration.ofSeconds(10), () -> {
            JsonObject v = experiment(id).getJsonObject("verdict");
            if (v == null) {
                return false;
            }
            assertThat(v.getString("status")).isEqualTo("pending");
            assertThat(v.getJsonObject("integrity").getLong("lost")).as("nothing is lost while it may still come").isZero();
            overdueSeen.set(v.getJsonObject("integrity").getLong("overdue"));
            return overdueSeen.get() > 50;
        });

        Await.until("final verdict", Duration.ofSeconds(60), () -> experiment(id).getJsonObject("verdict").getBoolean("final"));
        JsonObject e = experiment(id);
        JsonObject v = e.getJsonObject("verdict");
        assertThat(v.getString("status")).as(v.encodePrettily()).isEqualTo("pass");
        JsonObject integrity = v.getJsonObject("integrity");
        assertThat(integrity.getLong("expected")).isGreaterThan(overdueSeen.get());
        assertThat(integrity.getLong("lost")).isZero();
        assertThat(integrity.getLong("duplicated")).isZero();
        assertThat(integrity.getLong("overdue")).isZero();
        assertThat(v.getJsonObject("recovery").getDouble("catch_up_s")).isNotNull().isGreaterThanOrEqualTo(0.0);
        Path file = Path.of(e.getString("run_dir")).resolve("verdict.json");
        Await.until("verdict.json written", Duration.ofSeconds(5), () -> Files.exists(file));
        assertThat(new JsonObject(Files.readString(file)).getString("status")).isEqualTo("pass");
        // the launcher prints it as a table and exits 0 for a pass
        LauncherStack.Run printed = stack.run(Duration.ofSeconds(30), "verdict", e.getString("run_dir"));
        assertThat(printed.exitCode()).as(printed.output()).isZero();
        assertThat(printed.output()).contains("lost").contains("pass");
    }

    /** ./stampede scenario on a user's YAML plan: progress, a final plan verdict, report.html, the gate's exit code. */
    @Test
    void aScenarioFileRunsToAFinalVerdictAndLeavesAReport() throws Exception {
        Path plan = stack.varDir.resolve("plan.yaml");
        Files.writeString(plan, """
                experiments:
                  - {type: backpressure, rate_multiplier: 3, duration_s: 40}
                  - {type: duplicate_messages, duplicate_rate: 0.1, duration_s: 40, start_after_s: 20}
                """);
        LauncherStack.Run run = stack.run(Duration.ofSeconds(120), "scenario", plan.toString(), "--time-scale", "0.1");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("step 1/2 backpressure").contains("gate: pass");
        String reportLine = run.output().lines().filter(l -> l.startsWith("report: ")).findFirst().orElseThrow();
        Path report = Path.of(reportLine.substring("report: ".length()));
        assertThat(report).isAbsolute();
        Await.until("report.html written", Duration.ofSeconds(10), () -> Files.exists(report));
        String html = Files.readString(report);
        assertThat(html).contains("id=\"report-data\"").doesNotContain("src=\"http");
        // and the API serves an experiment's report at any time
        String planId = report.getParent().getFileName().toString();
        JsonObject p = new JsonObject(stack.get(stack.stampedePort, "/plans/" + planId).body());
        String first = p.getJsonArray("experiments").getJsonObject(0).getString("experiment_id");
        var page = stack.get(stack.stampedePort, "/experiments/" + first + "/report");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("report-data");
    }
}
