package io.stampede.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 1 000 webhooks through the real gateway, JetStream and agent: some invalid, some duplicated
 * ids (inside the stream's duplicate window, and after it so they reach the agent). Exactly one
 * decision per distinct valid id must come out.
 */
class DemoEndToEndTest {
    /** Short window so that late duplicates get past the stream and must be caught by the agent. */
    private static final int SIGNALS_WINDOW_MS = 300;
    private static DemoStack stack;

    @BeforeAll
    static void start() {
        stack = DemoStack.start(Map.of("SIGNALS_DUPLICATE_WINDOW_MS", Integer.toString(SIGNALS_WINDOW_MS)));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static final String[] INVALID = {
        "{\"symbol\":\"AAPL\",\"side\":\"buy\",\"price\":1,\"quantity\":0}",
        "{\"symbol\":\"AAPL\",\"side\":\"hold\",\"price\":1,\"quantity\":1}",
        "{\"side\":\"buy\",\"price\":1,\"quantity\":1}",
        "{\"symbol\":\"AA.PL\",\"side\":\"buy\",\"price\":1,\"quantity\":1}",
        "{\"symbol\":\"AAPL\",\"side\":\"sell\",\"price\":-3,\"quantity\":1}",
        "{\"symbol\":\"AAPL\",\"side\":\"sell\",\"price\":\"10\",\"quantity\":1}",
        "{not json",
        "[1,2,3]",
        "",
        "{\"id\":{\"x\":1},\"symbol\":\"AAPL\",\"side\":\"buy\",\"price\":1,\"quantity\":1}",
    };

    private static String valid(String id, int i) {
        JsonObject o = new JsonObject()
                .put("symbol", new String[] {"AAPL", "MSFT", "BTC-USD", "ETH_USD"}[i % 4])
                .put("side", i % 2 == 0 ? "buy" : "SELL")
                .put("price", 100.0 + i)
                .put("quantity", 1 + i % 7)
                .put("timestamp", "2026-11-26T10:00:00Z")
                .put("seq", i)
                .put("padding", "x".repeat(i % 50));
        if (id != null) {
            o.put("id", id);
        }
        return o.encode();
    }

    @Test
    void exactlyOneDecisionPerDistinctValidId() throws Exception {
        // 800 distinct valid signals (50 of them without an id: the gateway makes one up),
        // 100 invalid, 50 duplicates at once (dropped by the stream's window),
        // 50 duplicates after the window (reach the agent, which must ignore them).
        List<String> first = new ArrayList<>();
        List<String> lateDuplicates = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            String id = i < 50 ? null : "sig-" + i;
            first.add(valid(id, i));
            if (i >= 50 && i < 100) {
                first.add(valid(id, i)); // immediate duplicate
            }
            if (i >= 100 && i < 150) {
                lateDuplicates.add(valid(id, i + 1000)); // same id, other content: still a duplicate
            }
        }
        for (int i = 0; i < 100; i++) {
            first.add(INVALID[i % INVALID.length]);
        }
        assertThat(first.size() + lateDuplicates.size()).isEqualTo(1000);

        // Other tests share the stack: compare counters with their values before this test.
        double receivedBefore = stack.metric(stack.gatewayPort, "gateway_webhooks_received_total");
        double invalidBefore = stack.metric(stack.gatewayPort, "gateway_validation_errors_total");
        double decisionsBefore = stack.metric(stack.agentPort, "mcp_decisions_generated_total");
        long streamBefore = stack.streamCount("DECISIONS");
        List<HttpResponse<String>> responses = postAll(first);
        Thread.sleep(SIGNALS_WINDOW_MS * 3L);
        responses.addAll(postAll(lateDuplicates));

        Map<Integer, Long> byStatus = responses.stream().collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        assertThat(byStatus).containsOnlyKeys(202, 400);
        assertThat(byStatus.get(400)).isEqualTo(100);
        assertThat(byStatus.get(202)).isEqualTo(900);

        Set<String> acceptedIds = new HashSet<>();
        int streamDuplicates = 0;
        for (HttpResponse<String> r : responses) {
            JsonObject body = new JsonObject(r.body());
            if (r.statusCode() == 202) {
                acceptedIds.add(body.getString("id"));
                if (body.getBoolean("duplicate")) {
                    streamDuplicates++;
                }
            } else {
                assertThat(body.getString("error")).isEqualTo("validation_failed");
                assertThat(body.getJsonArray("details")).isNotEmpty();
                assertThat(body.getJsonArray("details").getJsonObject(0).getString("field")).isNotBlank();
            }
        }
        assertThat(acceptedIds).hasSize(800);
        assertThat(streamDuplicates).isEqualTo(50);
        assertThat(stack.metric(stack.gatewayPort, "gateway_validation_errors_total") - invalidBefore).isEqualTo(100);
        assertThat(stack.metric(stack.gatewayPort, "gateway_webhooks_received_total") - receivedBefore).isEqualTo(1000);

        Await.until("800 decisions", Duration.ofSeconds(60), () -> stack.streamCount("DECISIONS") - streamBefore >= 800
                && stack.metric(stack.agentPort, "mcp_duplicates_detected_total") >= 50);
        // Let any stray extra decision show up before counting.
        Thread.sleep(500);

        Map<String, Integer> decisionsPerId = new HashMap<>();
        for (String d : stack.streamBodies("DECISIONS")) {
            JsonObject decision = new JsonObject(d);
            if (!decision.getString("id").startsWith("sig-") && !acceptedIds.contains(decision.getString("id"))) {
                continue; // another test's decision
            }
            decisionsPerId.merge(decision.getString("id"), 1, Integer::sum);
            assertThat(decision.getString("action")).isIn("execute_buy", "execute_sell", "reject");
        }
        assertThat(decisionsPerId.keySet()).isEqualTo(acceptedIds);
        assertThat(decisionsPerId.values()).allMatch(n -> n == 1);

        assertThat(stack.metric(stack.agentPort, "mcp_decisions_generated_total") - decisionsBefore).isEqualTo(800);
        assertThat(stack.metric(stack.agentPort, "mcp_duplicates_detected_total")).isGreaterThanOrEqualTo(50);
        assertThat(stack.metric(stack.agentPort, "mcp_errors_total")).isZero();
        assertThat(stack.metric(stack.agentPort, "mcp_signals_received_total")).isGreaterThanOrEqualTo(850);
        assertThat(stack.metric(stack.agentPort, "mcp_processing_duration_seconds_count")).isGreaterThanOrEqualTo(850);
        String agentMetrics = stack.get("http://127.0.0.1:" + stack.agentPort + "/metrics").body();
        assertThat(agentMetrics).contains("mcp_processing_duration_seconds_bucket{le=");
        String gatewayMetrics = stack.get("http://127.0.0.1:" + stack.gatewayPort + "/metrics").body();
        assertThat(gatewayMetrics).contains("gateway_request_duration_seconds_bucket{");
    }

    @Test
    void decisionCarriesIdAndSentAtAndHeaders() throws Exception {
        HttpResponse<String> r = stack.postWebhook(
                "{\"id\":\"trace-1\",\"symbol\":\"TSLA\",\"side\":\"buy\",\"price\":250.5,\"quantity\":2,\"sent_at\":1234567}");
        assertThat(r.statusCode()).isEqualTo(202);
        var sc = stack.observer().getStreamContext("DECISIONS");
        Await.until("decision for trace-1", Duration.ofSeconds(20), () -> {
            try {
                return sc.getLastMessage("decisions.TSLA") != null;
            } catch (Exception e) {
                return false;
            }
        });
        var msg = sc.getLastMessage("decisions.TSLA");
        JsonObject decision = new JsonObject(new String(msg.getData(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(decision.getString("id")).isEqualTo("trace-1");
        assertThat(decision.getLong("sent_at")).isEqualTo(1234567L);
        assertThat(decision.getString("action")).isEqualTo("execute_buy");
        assertThat(msg.getHeaders().getFirst("Nats-Msg-Id")).isEqualTo("trace-1");
        var signal = stack.observer().getStreamContext("SIGNALS").getLastMessage("signals.TSLA");
        assertThat(signal.getHeaders().getFirst("Nats-Msg-Id")).isEqualTo("trace-1");
    }

    @Test
    void servicesLogJsonLines() {
        for (var jvm : List.of(stack.gateway, stack.agent)) {
            List<String> lines = jvm.log().lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
                JsonObject o = new JsonObject(line);
                assertThat(o.getString("level")).isNotBlank();
                assertThat(o.getString("service")).isIn("gateway", "agent");
            }
        }
    }

    private static List<HttpResponse<String>> postAll(List<String> bodies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (String b : bodies) {
                futures.add(pool.submit(() -> stack.postWebhook(b)));
            }
            List<HttpResponse<String>> out = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
