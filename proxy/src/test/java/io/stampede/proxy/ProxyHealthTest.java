package io.stampede.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API's /healthz tells whether the proxy still carries traffic, not just that the admin thread runs. */
class ProxyHealthTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private ServerSocket upstream;
    private NatsProxy proxy;
    private AdminServer admin;

    @BeforeEach
    void start() throws Exception {
        upstream = new ServerSocket(0);
        proxy = NatsProxy.start(ProxyConfig.ephemeral(upstream.getLocalPort()));
        admin = AdminServer.start(proxy);
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        proxy.close();
        upstream.close();
    }

    private HttpResponse<String> healthz() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(admin.baseUrl() + "/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status() {
        try {
            return healthz().statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void healthzIs503WithAReasonOnceTheLoopDied() throws Exception {
        assertThat(healthz().statusCode()).isEqualTo(200);

        proxy.failLoopForTest(new Error("boom from the test"));

        Await.until("/healthz answers 503", Duration.ofSeconds(5), () -> status() == 503);
        JsonObject body = new JsonObject(healthz().body());
        assertThat(body.getString("status")).isEqualTo("down");
        assertThat(body.getString("reason")).contains("loop").contains("boom from the test");
    }

    @Test
    void healthzIs503OnceTheListeningSocketIsClosed() throws Exception {
        assertThat(healthz().statusCode()).isEqualTo(200);

        proxy.closeListenerForTest();

        Await.until("/healthz answers 503", Duration.ofSeconds(5), () -> status() == 503);
        assertThat(new JsonObject(healthz().body()).getString("reason")).contains("listening socket");
    }
}
