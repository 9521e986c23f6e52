package io.stampede.chaos.servicefailure;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.chaos.ApiClient;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosApiMain;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.FreePorts;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chaos API as a real process with its production injectors, against a real container:
 * every way an experiment can end leaves the container running and unpaused.
 */
class ContainerRevertPathsTest {
    private DockerEngine engine;
    private String name;
    private int webPort;
    private int apiPort;
    private Path data;
    private ApiClient client;

    @BeforeEach
    void startContainer() throws Exception {
        engine = TestDocker.requireEngine();
        TestDocker.ensureImage();
        name = "stampede-revert-test-" + System.nanoTime();
        webPort = FreePorts.next();
        TestDocker.runHttpServer(name, webPort);
        Await.until("container answers", Duration.ofSeconds(10), () -> Probes.get(webPort, "/", 1000) == Probes.Seen.ANSWERS);
        data = ApiFixture.tempDir();
        Files.writeString(data.resolve("targets.json"), new JsonObject().put("targets", new JsonObject()
                .put("web", new JsonObject().put("type", "container").put("container", name)
                        .put("health_url", "http://127.0.0.1:" + webPort + "/"))).encode());
        apiPort = FreePorts.next();
        client = new ApiClient(apiPort);
    }

    @AfterEach
    void removeContainer() {
        TestDocker.forceRemove(name);
    }

    private ChildJvm startApi() {
        ChildJvm jvm = ChildJvm.start(ChaosApiMain.class, Map.of(
                "STAMPEDE_PORT", Integer.toString(apiPort),
                "STAMPEDE_DATA_DIR", data.toString(),
                "STAMPEDE_TARGETS_FILE", data.resolve("targets.json").toString(),
                "STAMPEDE_NATS_URL", "nats://127.0.0.1:1",
                "STAMPEDE_SERVICE", "chaos-api",
                "STAMPEDE_TEST_LOG", data.resolve("child-test-log.jsonl").toString()));
        awaitApi(jvm);
        return jvm;
    }

    private void awaitApi(ChildJvm jvm) {
        Await.until("chaos API up", Duration.ofSeconds(30), () -> {
            if (!jvm.isAlive()) {
                throw new AssertionError("chaos API exited:\n" + jvm.log());
            }
            return FreePorts.isListening(apiPort) && client.get("/healthz").status() == 200;
        });
    }

    private JsonObject state() throws Exception {
        return engine.inspect(name).getJsonObject("State");
    }

    private String post(String failureType, int durationS) {
        ApiClient.Response r = client.postJson("/experiments", "{\"type\":\"service_failure\",\"service\":\"web\","
                + "\"failure_type\":\"" + failureType + "\",\"duration_s\":" + durationS + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = r.json().getString("experiment_id");
        Await.until(id + " applied", Duration.ofSeconds(15), () -> "applied".equals(client.get("/experiments/" + id).json().getString("fault")));
        return id;
    }

    @Test
    void killNineDuringAHangThenRestartUnpausesTheContainer() throws Exception {
        try (ChildJvm api = startApi()) {
            String id = post("hang", 600);
            assertThat(state().getBoolean("Paused")).isTrue();
            assertThat(Probes.get(webPort, "/", 1000)).isEqualTo(Probes.Seen.FROZEN);

            api.kill9();
            assertThat(state().getBoolean("Paused")).as("a crash of the API leaves the fault").isTrue();

            api.restart();
            awaitApi(api);
            assertThat(state().getBoolean("Paused")).isFalse();
            assertThat(Probes.get(webPort, "/", 2000)).isEqualTo(Probes.Seen.ANSWERS);
            JsonObject e = client.get("/experiments/" + id).json();
            assertThat(e.getString("status")).isEqualTo("aborted");
            assertThat(e.getString("fault")).isEqualTo("reverted");
        }
    }

    @Test
    void sigtermDuringACrashStartsTheContainerAgain() throws Exception {
        ChildJvm api = startApi();
        try {
            post("crash", 600);
            assertThat(state().getBoolean("Running")).isFalse();
        } finally {
            api.close(); // SIGTERM, waits for the exit
        }
        assertThat(state().getBoolean("Running")).isTrue();
        Await.until("answers again", Duration.ofSeconds(10), () -> Probes.get(webPort, "/", 1000) == Probes.Seen.ANSWERS);
    }

    @Test
    void expiryAndDeleteBothRevert() throws Exception {
        try (ChildJvm api = startApi()) {
            String expiring = post("hang", 2);
            Await.until("completed", Duration.ofSeconds(15), () -> "completed".equals(client.get("/experiments/" + expiring).json().getString("status")));
            assertThat(state().getBoolean("Paused")).isFalse();

            String deleted = post("crash", 600);
            assertThat(state().getBoolean("Running")).isFalse();
            JsonObject stopped = client.delete("/experiments/" + deleted).json();
            assertThat(stopped.getString("status")).isEqualTo("stopped");
            assertThat(state().getBoolean("Running")).isTrue();
            Await.until("recovery measured", Duration.ofSeconds(15),
                    () -> client.get("/experiments/" + deleted).json().getJsonObject("stats").containsKey("recovery_ms"));
            assertThat(api.isAlive()).isTrue();
        }
    }
}
