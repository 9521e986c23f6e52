package io.stampede.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A webhook carrying {@code Stampede-Experiment} (two experiment ids) through the real gateway,
 * JetStream and agent: the header reaches the signal and the decision, and both services log a
 * summary line per experiment with {@code _chaos_experiment_id} and {@code _chaos_type}.
 */
class ExperimentCorrelationTest {
    private static final String A = "chaos_service_failure_1764000000001";
    private static final String B = "chaos_nats_latency_1764000000002";

    @Test
    void typeIsTheMiddleOfTheId() {
        assertThat(ExperimentLog.typeOf("chaos_service_failure_123")).isEqualTo("service_failure");
        assertThat(ExperimentLog.typeOf("chaos_load_test_1")).isEqualTo("load_test");
        assertThat(ExperimentLog.typeOf("chaos_backpressure_1764000000000")).isEqualTo("backpressure");
        assertThat(ExperimentLog.typeOf("something-else")).isNull();
        assertThat(ExperimentLog.typeOf("chaos__12")).isNull();
    }

    @Test
    void headerTravelsAndBothServicesLogPerExperiment() throws Exception {
        try (DemoStack stack = DemoStack.start(Map.of())) {
            List<Message> decisions = new CopyOnWriteArrayList<>();
            Dispatcher d = stack.observer().createDispatcher(decisions::add);
            d.subscribe("decisions.>");
            stack.observer().flush(Duration.ofSeconds(2));

            for (int i = 0; i < 5; i++) {
                String body = new JsonObject().put("id", "corr-" + i).put("symbol", "AAPL").put("side", "buy")
                        .put("price", 10.0).put("quantity", 1).encode();
                assertThat(stack.postWebhook(body, Map.of("Stampede-Experiment", A + ", " + B)).statusCode()).isEqualTo(202);
            }
            Await.until("5 decisions", Duration.ofSeconds(30), () -> decisions.size() >= 5);
            assertThat(decisions).allSatisfy(m -> assertThat(m.getHeaders().getFirst("Stampede-Experiment")).isEqualTo(A + ", " + B));
            var signal = stack.observer().getStreamContext("SIGNALS").getLastMessage("signals.AAPL");
            assertThat(signal.getHeaders().getFirst("Stampede-Experiment")).isEqualTo(A + ", " + B);

            for (String[] exp : new String[][] {{A, "service_failure"}, {B, "nats_latency"}}) {
                Await.until("gateway summary for " + exp[0], Duration.ofSeconds(10),
                        () -> summaries(stack.gateway.log(), exp[0]).anyMatch(j -> exp[1].equals(j.getString("_chaos_type"))));
                Await.until("agent summary for " + exp[0], Duration.ofSeconds(10),
                        () -> summaries(stack.agent.log(), exp[0]).anyMatch(j -> exp[1].equals(j.getString("_chaos_type"))));
            }
            // the per-second summaries of the last orders may come a second after the first line
            Await.until("gateway and agent summaries add up to 5", Duration.ofSeconds(10),
                    () -> summaries(stack.gateway.log(), A).mapToLong(j -> count(j, "accepted")).sum() >= 5
                            && summaries(stack.agent.log(), A).mapToLong(j -> count(j, "decided")).sum() >= 5);
            long gatewayLines = summaries(stack.gateway.log(), A).count();
            assertThat(summaries(stack.gateway.log(), A).mapToLong(j -> count(j, "accepted")).sum()).isEqualTo(5);
            assertThat(summaries(stack.agent.log(), A).mapToLong(j -> count(j, "decided")).sum()).isEqualTo(5);
            assertThat(gatewayLines).as("a summary per second, not a line per message").isLessThan(5);
        }
    }

    /** JSON log lines carrying {@code _chaos_experiment_id} = id. */
    private static Stream<JsonObject> summaries(String log, String id) {
        return log.lines().filter(l -> l.startsWith("{") && l.contains(id)).map(JsonObject::new)
                .filter(j -> id.equals(j.getString("_chaos_experiment_id")));
    }

    private static long count(JsonObject line, String outcome) {
        var m = java.util.regex.Pattern.compile("\\b" + outcome + "=(\\d+)").matcher(line.getString("message"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
