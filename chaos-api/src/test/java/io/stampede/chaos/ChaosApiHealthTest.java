package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.demo.DemoConfig;
import io.stampede.demo.agent.AgentMain;
import io.stampede.demo.gateway.GatewayMain;
import io.stampede.testkit.Await;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /healthz reports the API itself and each target; it stays 200 while targets go down. */
class ChaosApiHealthTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject targets(int port) throws Exception {
        HttpResponse<String> r = get(port, "/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("status")).isEqualTo("ok");
        return body.getJsonObject("targets");
    }

    private static String status(JsonObject targets, String name) {
        return targets.getJsonObject(name).getString("status");
    }

    @Test
    void reportsTargetsUpAndDown() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            int gatewayPort = FreePorts.next();
            int agentPort = FreePorts.next();
            DemoConfig demo = DemoConfig.fromMap(Map.of(
                    "NATS_URL", nats.url(),
                    "GATEWAY_PORT", Integer.toString(gatewayPort),
                    "AGENT_PORT", Integer.toString(agentPort)));
            GatewayMain gateway = GatewayMain.start(demo).toCompletionStage().toCompletableFuture().join();
            AgentMain agent = AgentMain.start(demo).toCompletionStage().toCompletableFuture().join();
            ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(
                    "gateway", URI.create("http://127.0.0.1:" + gatewayPort + "/healthz"),
                    "agent", URI.create("http://127.0.0.1:" + agentPort + "/healthz")), ApiFixture.tempDir(), 1.0);
            try (ChaosApiMain api = ChaosApiMain.start(cfg).toCompletionStage().toCompletableFuture().join()) {
                int port = api.port();
                Await.until("all targets up", Duration.ofSeconds(20), () -> {
                    try {
                        JsonObject t = targets(port);
                        return status(t, "nats").equals("up") && status(t, "gateway").equals("up") && status(t, "agent").equals("up");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                JsonObject t = targets(port);
                assertThat(t.getJsonObject("gateway").getInteger("http_status")).isEqualTo(200);
                assertThat(t.getJsonObject("nats_proxy").getString("health_url")).isEqualTo(cfg.proxyAdminUrl().resolve("/healthz").toString());
                assertThat(t.getJsonObject("agent").getJsonObject("detail").getString("service")).isEqualTo("agent");

                agent.close();
                // /healthz answers from the latest probe round (every second)
                Await.until("agent reported down", Duration.ofSeconds(5), () -> {
                    try {
                        return status(targets(port), "agent").equals("down");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                t = targets(port);
                assertThat(t.getJsonObject("agent").getString("error")).isNotBlank();
                assertThat(status(t, "gateway")).isEqualTo("up");

                nats.stop();
                Await.until("nats reported down", Duration.ofSeconds(5), () -> {
                    try {
                        return status(targets(port), "nats").equals("down");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                // the gateway is alive but reports its lost NATS connection: 503 → down
                Await.until("gateway reports NATS loss", Duration.ofSeconds(10), () -> {
                    try {
                        return status(targets(port), "gateway").equals("down");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });

                String metrics = get(port, "/metrics").body();
                assertThat(metrics).contains("stampede_target_up{target=\"agent\"} 0.0");
                assertThat(t.getJsonObject("agent").getString("checked_at")).isNotBlank();
                assertThat(metrics).contains("stampede_api_request_duration_seconds_bucket{");

                HttpResponse<String> missing = get(port, "/nope");
                assertThat(missing.statusCode()).isEqualTo(404);
                assertThat(new JsonObject(missing.body()).getString("error")).isEqualTo("not_found");
            } finally {
                gateway.close();
            }
        }
    }
}
