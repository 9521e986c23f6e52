package io.stampede.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both services report NATS state in healthz, refuse signals honestly while it is down, and reconnect. */
class NatsOutageTest {
    @Test
    void healthFollowsNatsAndServicesReconnect() {
        try (DemoStack stack = DemoStack.start(Map.of())) {
            String signal = "{\"id\":\"before\",\"symbol\":\"AAPL\",\"side\":\"buy\",\"price\":1,\"quantity\":1}";
            assertThat(stack.postWebhook(signal).statusCode()).isEqualTo(202);

            stack.nats.stop();
            Await.until("gateway unhealthy", Duration.ofSeconds(10),
                    () -> stack.get("http://127.0.0.1:" + stack.gatewayPort + "/healthz").statusCode() == 503);
            Await.until("agent unhealthy", Duration.ofSeconds(10),
                    () -> stack.get("http://127.0.0.1:" + stack.agentPort + "/healthz").statusCode() == 503);
            var health = new JsonObject(stack.get("http://127.0.0.1:" + stack.gatewayPort + "/healthz").body());
            assertThat(health.getJsonObject("nats").getBoolean("connected")).isFalse();
            var refused = stack.postWebhook(signal.replace("before", "during"));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("nats_unavailable");

            stack.nats.restart();
            stack.awaitHealthy(stack.gatewayPort, stack.gateway);
            stack.awaitHealthy(stack.agentPort, stack.agent);
            assertThat(stack.postWebhook(signal.replace("before", "after")).statusCode()).isEqualTo(202);
            Await.until("both decisions", Duration.ofSeconds(30), () -> stack.streamCount("DECISIONS") == 2);
        }
    }
}
