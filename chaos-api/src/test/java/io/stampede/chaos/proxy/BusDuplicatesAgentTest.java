package io.stampede.chaos.proxy;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.stampede.chaos.experiment.DuplicateMessages;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.demo.DemoConfig;
import io.stampede.demo.agent.AgentMain;
import io.stampede.proxy.AdminServer;
import io.stampede.proxy.NatsProxy;
import io.stampede.proxy.ProxyConfig;
import io.stampede.testkit.Await;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code duplicate_messages} with {@code source: "bus"} on the real demo agent: the agent reaches
 * NATS through the proxy, the proxy delivers its JetStream deliveries twice (the same frame, the
 * same ack subject), and the agent absorbs them: {@code mcp_duplicates_detected_total} rises and
 * every signal is decided exactly once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BusDuplicatesAgentTest {
    private static final int N = 200;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void agentAbsorbsDeliveredDuplicates() throws Exception {
        try (NatsServer nats = NatsServer.start();
             NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()));
             AdminServer admin = AdminServer.start(proxy)) {
            int agentPort = FreePorts.next();
            AgentMain agent = AgentMain.start(DemoConfig.fromMap(Map.of(
                    "NATS_URL", "nats://127.0.0.1:" + proxy.listenPort(),
                    "AGENT_PORT", Integer.toString(agentPort),
                    "AGENT_ACK_WAIT_MS", "2000"))).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try (agent; Connection direct = Nats.connect(nats.url())) {
                Await.until("SIGNALS and DECISIONS streams", Duration.ofSeconds(20), () -> {
                    try {
                        return direct.jetStreamManagement().getStreamInfo("SIGNALS") != null
                                && direct.jetStreamManagement().getStreamInfo("DECISIONS") != null;
                    } catch (Exception notYet) {
                        return false;
                    }
                });
                DuplicateMessagesRouter router = new DuplicateMessagesRouter(neverBaseline(), URI.create(admin.baseUrl()));
                DuplicateMessages spec = new DuplicateMessages(0.5, 60, 0, DuplicateMessages.Mode.APP,
                        DuplicateMessages.Source.BUS, ">");
                ExperimentContext ctx = new ExperimentContext("chaos_duplicate_messages_bus", Path.of("target"), 1.0);
                JsonObject token = router.apply(ctx, spec);
                double dupsBefore = metric(agentPort, "mcp_duplicates_detected_total");
                JetStream js = direct.jetStream();
                for (int i = 0; i < N; i++) {
                    js.publish("signals.AAPL", new JsonObject().put("id", "bus-" + i).put("symbol", "AAPL")
                            .put("side", i % 2 == 0 ? "buy" : "sell").put("price", 100.0 + i).put("quantity", 1)
                            .encode().getBytes(StandardCharsets.UTF_8));
                }
                Await.until(N + " decisions", Duration.ofSeconds(60),
                        () -> metric(agentPort, "mcp_decisions_generated_total") >= N
                                && metric(agentPort, "mcp_duplicates_detected_total") - dupsBefore >= N / 4.0);
                Thread.sleep(1_000); // let a stray second decision show up
                router.revert(ctx, spec, token);
                JsonObject stats = router.stats(ctx).json();
                double absorbed = metric(agentPort, "mcp_duplicates_detected_total") - dupsBefore;
                System.out.printf("bus duplicates: proxy duplicated %d of %d matched frames; agent absorbed %.0f duplicates;"
                                + " decisions %.0f for %d signals%n", stats.getLong("duplicated"), stats.getLong("matched"),
                        absorbed, metric(agentPort, "mcp_decisions_generated_total"), N);
                assertThat(stats.getLong("duplicated")).isPositive();
                assertThat(absorbed).as("mcp_duplicates_detected_total rises").isGreaterThanOrEqualTo(N / 4.0);
                assertThat(metric(agentPort, "mcp_decisions_generated_total")).as("0 double decisions").isEqualTo(N);
                assertThat(direct.jetStreamManagement().getStreamInfo("DECISIONS").getStreamState().getMsgCount()).isEqualTo(N);
                assertThat(metric(agentPort, "mcp_errors_total")).isZero();
            }
        }
    }

    /** The baseline side of a {@link DuplicateMessagesRouter} where there is none: {@code source: "bus"} must never reach it. */
    static FaultInjector<DuplicateMessages> neverBaseline() {
        return new FaultInjector<>() {
            @Override
            public Class<DuplicateMessages> specType() {
                return DuplicateMessages.class;
            }

            @Override
            public JsonObject apply(ExperimentContext ctx, DuplicateMessages spec) {
                throw new AssertionError("source bus must not reach the baseline");
            }

            @Override
            public void revert(ExperimentContext ctx, DuplicateMessages spec, JsonObject token) {
                throw new AssertionError("source bus must not reach the baseline");
            }

            @Override
            public String unavailable() {
                return "baseline off";
            }
        };
    }

    private static double metric(int port, String name) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            for (String line : r.body().split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (Exception e) {
            throw new IllegalStateException("agent metrics on " + port + ": " + e, e);
        }
    }
}
