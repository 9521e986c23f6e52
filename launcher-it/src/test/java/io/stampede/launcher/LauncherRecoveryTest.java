package io.stampede.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 11, "the tool must never be the fault": {@code ./stampede up} brings the chaos API back
 * whatever state the system under test is in, so the chaos API's start can revert what its
 * crashed predecessor left applied.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherRecoveryTest {
    private static LauncherStack stack;

    @BeforeAll
    static void up() {
        stack = new LauncherStack();
        LauncherStack.Run up = stack.run(Duration.ofSeconds(150), "up");
        assertThat(up.exitCode()).as("first up:\n%s%s", up.output(), stack.logs()).isZero();
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.down();
        }
    }

    /**
     * A {@code service_failure} hang freezes the agent (SIGSTOP); the chaos API is then killed -9,
     * so nothing reverts the hang. {@code up} must not wait for the frozen agent's health, must
     * start the chaos API (which reverts the hang from its journal), then see the agent healthy.
     */
    @Test
    @Order(1)
    void upAfterChaosApiCrashDuringHangStartsItAndTheHangIsReverted() {
        long agentPid = stack.pid("agent").orElseThrow();
        var created = stack.post(stack.stampedePort, "/experiments",
                "{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"hang\",\"duration_s\":60}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = new JsonObject(created.body()).getString("experiment_id");
        Await.until("agent frozen", Duration.ofSeconds(10), () -> LauncherStack.procState(agentPid).equals("T"));
        assertThat(stack.healthy(stack.agentPort)).as("a frozen agent does not answer").isFalse();

        long apiPid = stack.pid("chaos-api").orElseThrow();
        ProcessHandle.of(apiPid).orElseThrow().destroyForcibly();
        Await.until("chaos API gone", Duration.ofSeconds(10), () -> ProcessHandle.of(apiPid).map(p -> !p.isAlive()).orElse(true));
        assertThat(LauncherStack.procState(agentPid)).as("the crash left the hang applied").isEqualTo("T");

        LauncherStack.Run up = stack.run(Duration.ofSeconds(90), "up");
        String context = "up after the crash (" + up.elapsed().toMillis() + " ms, exit " + up.exitCode() + "):\n"
                + up.output() + stack.logs();
        assertThat(up.exitCode()).as(context).isZero();
        assertThat(up.elapsed()).as(context).isLessThan(Duration.ofSeconds(30));
        assertThat(stack.healthy(stack.stampedePort)).as(context).isTrue();
        assertThat(stack.pid("agent")).as("the same agent, thawed, not a new one").contains(agentPid);
        assertThat(LauncherStack.procState(agentPid)).as(context).isNotEqualTo("T");
        assertThat(stack.healthy(stack.agentPort)).as(context).isTrue();
        assertThat(up.output()).as("final table reports the agent healthy").containsPattern("(?m)^agent\\s+" + agentPid + "\\s.*\\bhealthy\\b");

        JsonArray list = new JsonObject(stack.get(stack.stampedePort, "/experiments").body()).getJsonArray("experiments");
        JsonObject exp = list.stream().map(JsonObject.class::cast).filter(e -> id.equals(e.getString("experiment_id")))
                .findFirst().orElseThrow(() -> new AssertionError(id + " not listed: " + list.encodePrettily()));
        assertThat(exp.getString("status")).as(exp.encodePrettily()).isEqualTo("aborted");
        assertThat(exp.getString("fault")).as(exp.encodePrettily()).isEqualTo("reverted");
    }

    /**
     * The chaos API cannot start (here: an invalid targets file, which must stop it): {@code up}
     * says so with its log tail, still reports the other parts, and exits 1.
     */
    @Test
    @Order(2)
    void chaosApiThatCannotStartIsReportedWithItsLogAndTheOthersStillListed() throws Exception {
        LauncherStack.Run stop = stack.run(Duration.ofSeconds(60), "stop", "chaos-api");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        Path bad = stack.varDir.resolve("bad-targets.json");
        Files.writeString(bad, "{\"targets\": {\"agent\": {\"type\": \"teleport\"}}}");

        LauncherStack.Run up = stack.run(Duration.ofSeconds(90), Map.of("STAMPEDE_TARGETS_FILE", bad.toString()), "up");
        String context = "up (" + up.elapsed().toMillis() + " ms, exit " + up.exitCode() + "):\n" + up.output();
        assertThat(up.exitCode()).as(context).isEqualTo(1);
        assertThat(up.output()).as(context)
                .contains("chaos-api")
                .contains("exited before it became healthy")
                .contains("last 20 lines of " + stack.log("chaos-api"));
        for (String part : new String[] {"nats", "proxy", "gateway", "agent"}) {
            assertThat(up.output()).as(context).containsPattern("(?m)^" + part + "\\s+\\d+\\s.*\\bhealthy\\b");
        }
        assertThat(up.output()).as(context).containsPattern("(?m)^chaos-api\\s+-\\s.*\\b(stopped|failed)\\b");

        // and a plain up afterwards brings it back
        LauncherStack.Run again = stack.run(Duration.ofSeconds(90), "up");
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(stack.healthy(stack.stampedePort)).isTrue();
    }
}
