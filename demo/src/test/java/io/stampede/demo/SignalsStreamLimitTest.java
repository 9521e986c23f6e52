package io.stampede.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A full SIGNALS stream refuses new signals (503 stream_full) instead of dropping old ones that
 * were already answered 202. Runs on a stream created the old way (DiscardPolicy.Old, no message
 * limit), which the gateway must update on start.
 */
class SignalsStreamLimitTest {
    private static final int LIMIT = 20;

    @Test
    void fullStreamAnswers503AndKeepsEverySignalItAccepted() throws Exception {
        Map<String, String> env = Map.of("SIGNALS_MAX_MSGS", Integer.toString(LIMIT));
        try (DemoStack stack = DemoStack.start(env, false, nats -> nats.jetStreamManagement().addStream(
                StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").storageType(StorageType.File)
                        .discardPolicy(DiscardPolicy.Old).duplicateWindow(Duration.ofMinutes(2)).build()))) {
            StreamConfiguration migrated = stack.observer().jetStreamManagement().getStreamInfo("SIGNALS").getConfiguration();
            assertThat(migrated.getDiscardPolicy()).as("existing Old stream updated on start").isEqualTo(DiscardPolicy.New);
            assertThat(migrated.getMaxMsgs()).isEqualTo(LIMIT);

            List<String> accepted = new ArrayList<>();
            List<HttpResponse<String>> refused = new ArrayList<>();
            // no agent: nothing is consumed; post well past the limit
            for (int i = 0; i < 3 * LIMIT; i++) {
                String id = "full-" + i;
                HttpResponse<String> r = stack.postWebhook(new JsonObject().put("id", id).put("symbol", "AAPL")
                        .put("side", "buy").put("price", 10.0).put("quantity", 1).encode());
                if (r.statusCode() == 202) {
                    accepted.add(id);
                } else {
                    refused.add(r);
                }
            }
            assertThat(accepted).as("accepted until the limit, then refused").hasSize(LIMIT)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, LIMIT).mapToObj(i -> "full-" + i).toList());
            assertThat(refused).hasSize(2 * LIMIT).allSatisfy(r -> {
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(new JsonObject(r.body()).getString("error")).as(r.body()).isEqualTo("stream_full");
                assertThat(r.headers().firstValue("Retry-After")).contains("1");
            });
            assertThat(stack.metric(stack.gatewayPort, "gateway_publish_rejected_total")).isEqualTo(2.0 * LIMIT);
            assertThat(stack.metric(stack.gatewayPort, "gateway_signals_published_total")).isEqualTo(LIMIT);

            Set<String> inStream = new HashSet<>();
            for (String body : stack.streamBodies("SIGNALS")) {
                inStream.add(new JsonObject(body).getString("id"));
            }
            assertThat(inStream).as("nothing that got 202 was discarded").containsExactlyInAnyOrderElementsOf(accepted);
        }
    }
}
