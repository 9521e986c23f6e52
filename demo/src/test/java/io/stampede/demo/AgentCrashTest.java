package io.stampede.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL the agent while signals stream in, restart it: every signal gets exactly one decision;
 * what arrived while it was down waited in JetStream.
 */
class AgentCrashTest {
    private static final int SIGNALS = 600;

    @Test
    void killNineMidStreamLosesNothingAndDecidesNothingTwice() throws Exception {
        try (DemoStack stack = DemoStack.start(Map.of())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < SIGNALS; i++) {
                    String body = new JsonObject().put("id", "crash-" + i).put("symbol", "AAPL")
                            .put("side", "buy").put("price", 10.0).put("quantity", 1).encode();
                    if (stack.postWebhook(body).statusCode() == 202) {
                        accepted.incrementAndGet();
                    }
                    try {
                        Thread.sleep(5); // ~3 s of traffic, so the kill lands mid-stream
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sender.start();
            Await.until("agent mid-stream", Duration.ofSeconds(30), () -> stack.streamCount("DECISIONS") >= 100);
            stack.agent.kill9();
            long decidedAtKill = stack.streamCount("DECISIONS");
            Thread.sleep(700); // signals keep arriving and queue in JetStream
            assertThat(stack.streamCount("SIGNALS")).isGreaterThan(decidedAtKill);
            stack.agent.restart();
            stack.awaitHealthy(stack.agentPort, stack.agent);
            sender.join(60_000);
            assertThat(accepted.get()).isEqualTo(SIGNALS);

            Await.until("all decisions", Duration.ofSeconds(60), () -> stack.streamCount("DECISIONS") >= SIGNALS);
            Thread.sleep(2500); // longer than the ack wait: a redelivery would have produced its duplicate by now

            Map<String, Integer> perId = new HashMap<>();
            for (String d : stack.streamBodies("DECISIONS")) {
                perId.merge(new JsonObject(d).getString("id"), 1, Integer::sum);
            }
            assertThat(perId).hasSize(SIGNALS);
            assertThat(perId.values()).allMatch(n -> n == 1);
            for (int i = 0; i < SIGNALS; i++) {
                assertThat(perId).containsKey("crash-" + i);
            }
        }
    }
}
