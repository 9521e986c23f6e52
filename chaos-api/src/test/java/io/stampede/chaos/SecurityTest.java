package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** Mutations need the token when one is set; a non-loopback bind needs a token or an explicit opt-out. */
class SecurityTest {
    @Test
    void tokenGuardsMutationsOnly() {
        try (ApiFixture fx = ApiFixture.start(1.0, c -> c.withSecurity("127.0.0.1", "s3cret", false))) {
            String body = "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":60}";
            ApiClient.Response denied = fx.client.postJson("/experiments", body);
            assertThat(denied.status()).isEqualTo(401);
            assertThat(denied.json().getString("error")).isEqualTo("unauthorized");
            assertThat(fx.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.api.port() + "/experiments"))
                    .header("Authorization", "Bearer wrong").POST(HttpRequest.BodyPublishers.ofString(body))).status()).isEqualTo(401);
            ApiClient.Response ok = fx.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.api.port() + "/experiments"))
                    .header("Authorization", "Bearer s3cret").POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(ok.status()).isEqualTo(201);
            assertThat(fx.client.get("/experiments").status()).isEqualTo(200);
            assertThat(fx.client.delete("/experiments").status()).isEqualTo(401);
            // the apply runs after the 201 (on the lifecycle's worker): wait for it, then count
            io.stampede.testkit.Await.until("the authorised experiment applied", java.time.Duration.ofSeconds(10),
                    () -> RecordingInjector.applied(fx.recordingDir).size() == 1);
            assertThat(RecordingInjector.applied(fx.recordingDir)).hasSize(1);
        }
    }

    @Test
    void nonLoopbackBindWithoutTokenRefusesToStart() {
        ChaosConfig open = ApiFixture.config(ApiFixture.tempDir(), 1.0).withSecurity("0.0.0.0", null, false);
        assertThatThrownBy(() -> ChaosApiMain.start(open, RecordingInjectorFactory.injectors(ApiFixture.tempDir()))
                .toCompletionStage().toCompletableFuture().join())
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining("STAMPEDE_API_TOKEN");
    }
}
