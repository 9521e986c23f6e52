package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The API is never the fault: cross-site requests, floods of experiments, aims at itself, odd requests. */
class HardeningTest {

    /** A raw HTTP/1.1 exchange, so a test can send any Host and Origin (java.net.http forbids setting Host). */
    static ApiClient.Response raw(int port, String method, String path, String host, String origin, String contentType, String body) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            req.append("Host: ").append(host).append("\r\n");
            if (origin != null) {
                req.append("Origin: ").append(origin).append("\r\n");
            }
            if (contentType != null) {
                req.append("Content-Type: ").append(contentType).append("\r\n");
            }
            req.append("Content-Length: ").append(b.length).append("\r\nConnection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            String headers = text.substring(0, split).toLowerCase();
            String ct = headers.contains("content-type: application/json") ? "application/json" : "";
            return new ApiClient.Response(status, text.substring(split + 4), ct);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static final String HANG = "{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"hang\",\"duration_s\":60}";

    @Test
    void crossSiteAndRebindingRequestsAreRefused() {
        try (ApiFixture fx = ApiFixture.start(1.0, c -> c.withBounds(new ChaosConfig.Bounds(100, 2, 1000, 500,
                Set.of("chaos-api"), c.bounds().loadTargets(), 0.001)))) {
            int port = fx.api.port();
            String self = "127.0.0.1:" + port;
            // a page on another site POSTs text/plain (no preflight) and DELETEs everything
            ApiClient.Response post = raw(port, "POST", "/experiments", self, "http://attacker.example", "text/plain", HANG);
            assertThat(post.status()).isEqualTo(403);
            assertThat(post.json().getString("error")).isEqualTo("forbidden_origin");
            assertThat(post.json().getJsonArray("details").getJsonObject(0).getString("field")).isEqualTo("Origin");
            assertThat(raw(port, "DELETE", "/experiments", self, "http://attacker.example", null, null).status()).isEqualTo(403);
            assertThat(raw(port, "POST", "/experiments", self, "null", "text/plain", HANG).status()).isEqualTo(403);
            // DNS rebinding: the page's own name resolves to 127.0.0.1, the browser sends it as Host
            ApiClient.Response rebound = raw(port, "POST", "/experiments", "attacker.example:" + port, "http://attacker.example:" + port,
                    "text/plain", HANG);
            assertThat(rebound.status()).isEqualTo(403);
            assertThat(rebound.json().getString("error")).isEqualTo("forbidden_host");
            assertThat(raw(port, "GET", "/experiments", "attacker.example", null, null, null).status()).isEqualTo(403);
            assertThat(RecordingInjector.applied(fx.recordingDir)).as("nothing was applied").isEmpty();

            // curl sends no Origin and a loopback Host; a page served by the API itself is same-origin
            assertThat(raw(port, "GET", "/healthz", "localhost:" + port, null, null, null).status()).isEqualTo(200);
            assertThat(raw(port, "GET", "/healthz", "[::1]:" + port, null, null, null).status()).isEqualTo(200);
            assertThat(raw(port, "GET", "/experiments", self, "http://" + self, null, null).status()).isEqualTo(200);
            // a name the operator listed (compose: Prometheus scrapes chaos-api:8008)
            assertThat(raw(port, "GET", "/metrics", "chaos-api:8008", null, null, null).status()).isEqualTo(200);
            ApiClient.Response curl = raw(port, "POST", "/experiments", "localhost:" + port, null, "application/x-www-form-urlencoded", HANG);
            assertThat(curl.status()).isEqualTo(201);
        }
    }

    @Test
    void tooManyExperimentsAndLoadTestsAnswer429NamingTheLimit() {
        try (ApiFixture fx = ApiFixture.start(1.0, c -> c.withBounds(new ChaosConfig.Bounds(3, 1, 1000, 500, Set.of(),
                c.bounds().loadTargets(), 0.001)))) {
            String load = "{\"type\":\"load_test\",\"rps\":10,\"duration_s\":60}";
            assertThat(fx.client.postJson("/experiments", load).status()).isEqualTo(201);
            ApiClient.Response second = fx.client.postJson("/experiments", load);
            assertThat(second.status()).isEqualTo(429);
            assertThat(second.json().getString("error")).isEqualTo("too_many_load_tests");
            assertThat(second.json().getString("message")).contains("STAMPEDE_MAX_LOAD_TESTS");
            for (int i = 0; i < 2; i++) {
                assertThat(fx.client.postJson("/experiments", "{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":60}").status())
                        .isEqualTo(201);
            }
            ApiClient.Response fourth = fx.client.postJson("/experiments", "{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":60}");
            assertThat(fourth.status()).isEqualTo(429);
            assertThat(fourth.json().getString("error")).isEqualTo("too_many_experiments");
            assertThat(fourth.json().getString("message")).contains("STAMPEDE_MAX_ACTIVE_EXPERIMENTS");
            assertThat(fx.client.delete("/experiments").status()).isEqualTo(200);
            assertThat(fx.client.postJson("/experiments", load).status()).as("free again once stopped").isEqualTo(201);
        }
    }

    @Test
    void loadTestMayOnlyAimAtConfiguredTargets() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            String self = "http://127.0.0.1:" + fx.api.port() + "/experiments";
            for (String url : new String[] {self, "http://127.0.0.1:4224/faults", "http://localhost:8001/metrics",
                    "http://127.0.0.1:2/webhook"}) {
                ApiClient.Response r = fx.client.postJson("/experiments",
                        "{\"type\":\"load_test\",\"rps\":5000,\"duration_s\":60,\"target_url\":\"" + url + "\"}");
                assertThat(r.status()).as(url).isEqualTo(400);
                assertThat(r.json().getJsonArray("details").getJsonObject(0).getString("field")).isEqualTo("target_url");
            }
            // the default (the gateway webhook), also under another loopback name
            String webhook = fx.config.webhookUrl().replace("127.0.0.1", "localhost");
            assertThat(fx.client.postJson("/experiments", "{\"type\":\"load_test\",\"rps\":10,\"duration_s\":60,\"target_url\":\""
                    + webhook + "\"}").status()).isEqualTo(201);
        }
    }

    @Test
    void tinyRateMultipliersAreRefusedAloneAndCombined() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            // baseline 100 msg/s, floor 0.001 msg/s
            for (String m : new String[] {"1e-15", "1e-300", "3.7e-320", "1e-400", "0.000001"}) {
                ApiClient.Response r = fx.client.postJson("/experiments",
                        "{\"type\":\"backpressure\",\"rate_multiplier\":" + m + ",\"duration_s\":60}");
                assertThat(r.status()).as(m).isEqualTo(400);
                assertThat(r.json().getJsonArray("details").getJsonObject(0).getString("field")).isEqualTo("rate_multiplier");
            }
            assertThat(fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":0.001,\"duration_s\":60}")
                    .status()).isEqualTo(201);
            ApiClient.Response combined = fx.client.postJson("/experiments",
                    "{\"type\":\"backpressure\",\"rate_multiplier\":0.001,\"duration_s\":60}");
            assertThat(combined.status()).as("0.001 × 0.001 × 100 msg/s is below the floor").isEqualTo(400);
            assertThat(combined.json().getJsonArray("details").getJsonObject(0).getString("field")).isEqualTo("rate_multiplier");
            assertThat(combined.json().getString("message")).contains("STAMPEDE_MIN_MESSAGE_RATE");
            // a plan whose steps only overlap later is judged at the overlap
            ApiClient.Response plan = fx.client.postJson("/experiments", "{\"experiments\":["
                    + "{\"type\":\"backpressure\",\"rate_multiplier\":0.001,\"duration_s\":60,\"start_after_s\":100},"
                    + "{\"type\":\"backpressure\",\"rate_multiplier\":0.001,\"duration_s\":60,\"start_after_s\":130}]}");
            assertThat(plan.status()).isEqualTo(400);
        }
    }

    @Test
    void oddRequestsGetJsonErrorsAndBoundedMetrics() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            ApiClient.Response longUrl = raw(fx.api.port(), "GET", "/experiments/" + "x".repeat(10_000), "127.0.0.1", null, null, null);
            assertThat(longUrl.status()).isEqualTo(414);
            assertThat(longUrl.contentType()).startsWith("application/json");
            assertThat(longUrl.json().getString("error")).isEqualTo("uri_too_long");
            for (int i = 0; i < 20; i++) {
                raw(fx.api.port(), "MADEUP" + i, "/experiments", "127.0.0.1", null, null, null);
            }
            String metrics = fx.client.get("/metrics").body();
            assertThat(metrics).doesNotContain("MADEUP").contains("method=\"other\"");
            Await.until("healthy", Duration.ofSeconds(5), () -> fx.client.get("/healthz").status() == 200);
            JsonObject h = fx.client.get("/healthz").json();
            assertThat(h.getString("status")).isEqualTo("ok");
        }
    }
}
