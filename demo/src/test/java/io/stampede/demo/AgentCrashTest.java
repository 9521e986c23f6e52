package io.stampede.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Dispatcher;
import io.nats.client.api.ConsumerInfo;
import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL the agent while signals stream in, restart it: every signal gets exactly one decision;
 * what arrived while it was down waited in JetStream.
 *
 * <p>Counting DECISIONS alone would hide a double decision: the stream drops a republish with the
 * same {@code Nats-Msg-Id} inside its duplicate window. So a core-NATS subscriber on
 * {@code decisions.>} counts every raw publish of the agent per id, the ones the stream deduped
 * included. The only republish the design allows is the one signal in flight at the kill (its
 * decision published, its id not yet recorded): at most one id may be published twice.
 */
class AgentCrashTest {
    private static final int SIGNALS = 600;

    @Test
    void killNineMidStreamLosesNothingAndDecidesNothingTwice() throws Exception {
        try (DemoStack stack = DemoStack.start(Map.of())) {
            Map<String, AtomicInteger> rawPublishes = new ConcurrentHashMap<>();
            Dispatcher raw = stack.observer().createDispatcher(m -> rawPublishes
                    .computeIfAbsent(new JsonObject(new String(m.getData(), java.nio.charset.StandardCharsets.UTF_8)).getString("id"),
                            k -> new AtomicInteger()).incrementAndGet());
            raw.subscribe("decisions.>");
            stack.observer().flush(Duration.ofSeconds(2));

            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger sent = new AtomicInteger();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < SIGNALS; i++) {
                    String body = new JsonObject().put("id", "crash-" + i).put("symbol", "AAPL")
                            .put("side", "buy").put("price", 10.0).put("quantity", 1).encode();
                    if (stack.postWebhook(body).statusCode() == 202) {
                        accepted.incrementAndGet();
                    }
                    sent.incrementAndGet();
                    try {
                        Thread.sleep(5); // pacing: ~3 s of traffic, so the kill lands mid-stream
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sender.start();
            Await.until("agent mid-stream", Duration.ofSeconds(30), () -> rawPublishes.size() >= 100);
            stack.agent.kill9();
            int decidedAtKill = rawPublishes.size();
            assertThat(sent.get()).as("the kill lands mid-stream").isLessThan(SIGNALS);
            Await.until("signals queue in JetStream while the agent is down", Duration.ofSeconds(30),
                    () -> stack.streamCount("SIGNALS") >= decidedAtKill + 50 || !sender.isAlive());
            assertThat(rawPublishes).as("nothing decided while the agent is down").hasSize(decidedAtKill);
            stack.agent.restart();
            stack.awaitHealthy(stack.agentPort, stack.agent);
            sender.join(60_000);
            assertThat(accepted.get()).isEqualTo(SIGNALS);

            // Every signal acked (none pending, none awaiting an ack): no redelivery, so no
            // further decision publish, can happen any more.
            Await.until("consumer drained", Duration.ofSeconds(60), () -> {
                ConsumerInfo ci = stack.consumerInfo("SIGNALS", "agent");
                return ci.getNumPending() == 0 && ci.getNumAckPending() == 0 && ci.getAckFloor().getStreamSequence() >= SIGNALS;
            });
            stack.observer().flush(Duration.ofSeconds(2));

            assertThat(rawPublishes).as("a decision published for every signal").hasSize(SIGNALS);
            for (int i = 0; i < SIGNALS; i++) {
                assertThat(rawPublishes).containsKey("crash-" + i);
            }
            Map<String, Integer> republished = new HashMap<>();
            rawPublishes.forEach((id, n) -> {
                if (n.get() != 1) {
                    republished.put(id, n.get());
                }
            });
            String sample = republished.entrySet().stream().limit(10).map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
            assertThat(republished.size()).as("ids whose decision was published more than once (only the one in flight at the kill "
                    + "may be, twice): %d, e.g. %s", republished.size(), sample).isLessThanOrEqualTo(1);
            assertThat(republished.values()).allMatch(n -> n == 2);
            assertThat(stack.metric(stack.agentPort, "mcp_decisions_generated_total")
                    + stack.metric(stack.agentPort, "mcp_duplicates_detected_total"))
                    .as("the restarted agent's decisions plus what it found already decided").isGreaterThan(0);

            Map<String, Integer> perId = new HashMap<>();
            for (String d : stack.streamBodies("DECISIONS")) {
                perId.merge(new JsonObject(d).getString("id"), 1, Integer::sum);
            }
            assertThat(perId).hasSize(SIGNALS);
            assertThat(perId.values()).allMatch(n -> n == 1);
        }
    }
}
