package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.stampede.loadgen.cli.LoadgenCli;
import io.stampede.proxy.NatsProxy;
import io.stampede.proxy.ProxyConfig;
import io.stampede.proxy.api.ProxyFault;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The event loop never waits on the verdict: with the baseline traffic and its delivery verifier
 * on, the chaos API's NATS connection goes through the latency proxy holding every byte
 * {@link #DELAY_MS} each way, so each read of the SUT consumer's backlog (a JetStream API request)
 * takes ~2 × {@link #DELAY_MS}, and with load agents so does each request round to the agents
 * (the verifier's marks at apply and at DELETE). Meanwhile {@code /healthz} and
 * {@code GET /experiments/{id}} of the experiment being judged are polled every 20 ms: every answer
 * comes within {@link #BUDGET_MS}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class VerdictResponsivenessTest {
    static final int DELAY_MS = 200;
    static final long BUDGET_MS = 100;
    static final Duration POLL_RUNNING = Duration.ofSeconds(5);
    static final Duration POLL_AFTER_DELETE = Duration.ofSeconds(3);

    @Test
    void getsStayFastWhileTheVerdictReadsASlowBacklog() throws Exception {
        try (NatsServer nats = NatsServer.start(); NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()))) {
            try (Connection sut = sut(nats)) {
                ChaosConfig cfg = ChaosConfig.forTest(proxyUrl(proxy), Map.of(), ApiFixture.tempDir(), 0.1).withBaseline(200);
                pollWhileJudging("in-process baseline", cfg, proxy);
            }
        }
    }

    @Test
    void getsStayFastWhileTheVerdictWaitsOnAgentRounds() throws Exception {
        List<ChildJvm> agents = new ArrayList<>();
        try (NatsServer nats = NatsServer.start(); NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()));
             Connection sut = sut(nats)) {
            for (int i = 0; i < 2; i++) {
                // the agents publish straight to NATS; the chaos API's coordinator talks to them through the proxy
                agents.add(ChildJvm.start(LoadgenCli.class, Map.of(), "agent", "--nats-url", nats.url(), "--name", "r" + i));
            }
            ChaosConfig cfg = ChaosConfig.forTest(proxyUrl(proxy), Map.of(), ApiFixture.tempDir(), 0.1).withBaseline(200)
                    .withBaselineAgents(2);
            pollWhileJudging("two load agents", cfg, proxy);
        } finally {
            agents.forEach(ChildJvm::close);
        }
    }

    private static void pollWhileJudging(String variant, ChaosConfig cfg, NatsProxy proxy) throws Exception {
        try (ApiFixture fx = ApiFixture.startDefault(cfg)) {
            fx.client.get("/healthz");
            String id = fx.postWhenBaselineRuns("{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":600}",
                    Duration.ofSeconds(60));
            Await.until(id + " applied", Duration.ofSeconds(20),
                    () -> "applied".equals(fx.client.get("/experiments/" + id).json().getString("fault")));
            Await.until(id + " judged", Duration.ofSeconds(20),
                    () -> fx.client.get("/experiments/" + id).json().getJsonObject("verdict").getJsonObject("integrity")
                            .getLong("expected", 0L) > 0);
            // from now on every backlog read and every agent round takes 2 × DELAY_MS
            proxy.putFault("slow", new ProxyFault(DELAY_MS, 0, ProxyFault.Direction.BOTH, 0, false, null));
            ResponsivenessTest.Poller poller = new ResponsivenessTest.Poller(fx.client,
                    List.of("/healthz", "/experiments/" + id), BUDGET_MS);
            long deleteMs;
            JsonObject stopped;
            try (poller) {
                Thread.sleep(POLL_RUNNING.toMillis());
                long t0 = System.nanoTime();
                ApiClient.Response r = fx.client.delete("/experiments/" + id);
                deleteMs = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                stopped = r.json();
                Thread.sleep(POLL_AFTER_DELETE.toMillis());
            } finally {
                proxy.removeFault("slow");
            }
            System.out.printf("%s: %d calls, p50 %d ms, p99 %d ms, worst %d ms (DELETE took %d ms, verdict %s); slow: %s%n", variant,
                    poller.calls, poller.quantileMs(0.5), poller.quantileMs(0.99), poller.worstMs, deleteMs,
                    stopped.getJsonObject("verdict").getString("status"), poller.slow);
            assertThat(stopped.getString("status")).isEqualTo("stopped");
            assertThat(poller.calls).as("polled throughout").isGreaterThan(100);
            assertThat(poller.slow).as(variant + ": answers slower than " + BUDGET_MS + " ms (worst " + poller.worstMs + " ms)")
                    .isEmpty();
        }
    }

    /** SIGNALS with the demo agent's durable consumer (whose backlog the verdict reads), and a consumer deciding every signal. */
    private static Connection sut(NatsServer nats) throws Exception {
        Connection c = Nats.connect(nats.url());
        var jsm = c.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>").storageType(StorageType.Memory).build());
        jsm.addOrUpdateConsumer("SIGNALS", ConsumerConfiguration.builder().durable("agent").ackPolicy(AckPolicy.Explicit).build());
        c.createDispatcher(m -> {
            JsonObject signal = new JsonObject(new String(m.getData(), StandardCharsets.UTF_8));
            c.publish("decisions.test", new JsonObject().put("id", signal.getString("id"))
                    .put("sent_at", signal.getValue("sent_at")).encode().getBytes(StandardCharsets.UTF_8));
        }).subscribe("signals.>");
        return c;
    }

    private static String proxyUrl(NatsProxy proxy) {
        return "nats://127.0.0.1:" + proxy.listenPort();
    }
}
