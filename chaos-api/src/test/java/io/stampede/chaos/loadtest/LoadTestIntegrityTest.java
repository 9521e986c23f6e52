package io.stampede.chaos.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.stampede.chaos.ApiClient;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.inject.Injectors;
import io.stampede.demo.agent.AgentMain;
import io.stampede.demo.gateway.GatewayMain;
import io.stampede.reports.AcceptedIds;
import io.stampede.reports.RunReader;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, load-test integrity on real parts: a nats-server, the demo gateway and agent each in
 * their own JVM, the chaos API with the default load-test injector (integrity on), Gatling in its
 * child JVM. Time scale 0.1: duration_s 30 = 3 s of requests, settle 30 s = 3 s.
 */
@Timeout(180)
class LoadTestIntegrityTest {
    private static final Path SIM_TARGET = Path.of("..", "simulations", "target").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /** The gateway (and the agent unless absent) on a fresh nats-server. */
    private static final class Stack implements AutoCloseable {
        final NatsServer nats = NatsServer.start();
        final int gatewayPort = FreePorts.next();
        final ChildJvm gateway;
        final ChildJvm agent;

        Stack(boolean withAgent) throws Exception {
            Map<String, String> env = new HashMap<>();
            env.put("NATS_URL", nats.url());
            env.put("GATEWAY_PORT", Integer.toString(gatewayPort));
            env.put("AGENT_PORT", Integer.toString(FreePorts.next()));
            env.put("AGENT_ACK_WAIT_MS", "2000");
            env.put("stampede.test.log", Files.createTempFile("stampede-lt-", ".jsonl").toString());
            gateway = ChildJvm.start(GatewayMain.class, with(env, "STAMPEDE_SERVICE", "gateway"));
            agent = withAgent ? ChildJvm.start(AgentMain.class, with(env, "STAMPEDE_SERVICE", "agent")) : null;
            try (Connection c = Nats.connect(nats.url())) {
                var jsm = c.jetStreamManagement();
                Await.until("gateway's stream" + (withAgent ? " and the agent's consumer" : ""), Duration.ofSeconds(40), () -> {
                    assertThat(gateway.isAlive()).as("gateway: %s", gateway.log()).isTrue();
                    try {
                        return jsm.getStreamInfo("SIGNALS") != null
                                && (!withAgent || jsm.getConsumerInfo("SIGNALS", "agent") != null);
                    } catch (Exception notYet) {
                        return false;
                    }
                });
            }
        }

        private static Map<String, String> with(Map<String, String> env, String k, String v) {
            Map<String, String> m = new HashMap<>(env);
            m.put(k, v);
            return m;
        }

        String webhook() {
            return "http://127.0.0.1:" + gatewayPort + "/webhook";
        }

        @Override
        public void close() {
            if (agent != null) {
                agent.close();
            }
            gateway.close();
            nats.close();
        }
    }

    private ApiFixture api(Stack s) {
        assertThat(SimulationLauncher.forTarget(SIM_TARGET).problems()).as("simulations built").isEmpty();
        Path data = tmp.resolve("api");
        // the gateway as a target: its host is then an allowed load target
        ChaosConfig cfg = ChaosConfig.forTest(s.nats.url(),
                Map.of("gateway", URI.create("http://127.0.0.1:" + s.gatewayPort + "/healthz")), data, 0.1);
        return ApiFixture.start(cfg, Injectors.of(new LoadTestInjector(SimulationLauncher.forTarget(SIM_TARGET),
                LoadTestIntegrity.Config.defaults(s.nats.url()))), data);
    }

    private static String post(ApiFixture fx, Stack s) {
        ApiClient.Response r = fx.client.postJson("/experiments", "{\"type\":\"load_test\",\"rps\":20,\"duration_s\":30,"
                + "\"payload_size\":512,\"target_url\":\"" + s.webhook() + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().getString("experiment_id");
    }

    @Test
    void everyAcceptedRequestGetsItsDecisionAndTheFinalVerdictCountsThem() throws Exception {
        try (Stack s = new Stack(true); ApiFixture fx = api(s); Connection watch = Nats.connect(s.nats.url())) {
            // what reaches NATS: the gateway copies the request's Stampede-Experiment header onto the signal
            Map<String, AtomicLong> signalsByHeader = new ConcurrentHashMap<>();
            Dispatcher d = watch.createDispatcher(m -> {
                String h = m.getHeaders() == null ? "none" : String.valueOf(m.getHeaders().getFirst("Stampede-Experiment"));
                signalsByHeader.computeIfAbsent(h, k -> new AtomicLong()).incrementAndGet();
            });
            d.subscribe("signals.>");
            watch.flush(Duration.ofSeconds(5));

            String id = post(fx, s);
            Await.until("final verdict", Duration.ofSeconds(120),
                    () -> fx.client.get("/experiments/" + id).json().getJsonObject("verdict").getBoolean("final"));
            JsonObject e = fx.client.get("/experiments/" + id).json();
            JsonObject summary = e.getJsonObject("stats").getJsonObject("summary");
            JsonObject v = e.getJsonObject("verdict");
            JsonObject i = v.getJsonObject("integrity");
            long accepted = summary.getLong("accepted");
            System.out.printf("with agent: requests %d, accepted %d, integrity %s, status %s%n", summary.getLong("requests"),
                    accepted, i.encode(), v.getString("status"));
            assertThat(summary.getLong("requests")).isEqualTo(60);
            assertThat(accepted).as("every request answered 202").isEqualTo(60);
            assertThat(i.getLong("expected")).as(v.encodePrettily()).isEqualTo(accepted);
            assertThat(i.getLong("delivered")).isEqualTo(accepted);
            assertThat(i.getLong("lost")).isZero();
            assertThat(i.getLong("duplicated")).isZero();
            assertThat(i.getLong("unexpected")).isZero();
            assertThat(i.getLong("overdue")).isZero();
            assertThat(v.getString("status")).as(v.encodePrettily()).isEqualTo("pass");
            assertThat(v.getJsonArray("criteria").stream().map(o -> ((JsonObject) o).getString("id")))
                    .contains("lost", "duplicated", "unexpected", "error_rate", "p95", "ko_pct");
            assertThat(signalsByHeader.get(id)).as("signals tagged with the experiment: %s", signalsByHeader).hasValue(60);
            // the ids the run tracked: accepted.jsonl holds each of the 60 sequence numbers once
            long[] seqs = RunReader.open(fx.config.runsDir().resolve(id))
                    .accepted().stream().flatMapToLong(a -> java.util.Arrays.stream(a.seqs())).sorted().toArray();
            assertThat(seqs).hasSize(60).doesNotHaveDuplicates();
            assertThat(e.getJsonObject("stats").getJsonObject("integrity").getString("id_prefix")).isEqualTo(id);
        }
    }

    @Test
    void withoutTheAgentAcceptedRequestsAreOverdueThenLost() throws Exception {
        try (Stack s = new Stack(false); ApiFixture fx = api(s)) {
            String id = post(fx, s);
            long[] overduePeak = {0};
            Await.until("final verdict", Duration.ofSeconds(120), () -> {
                JsonObject v = fx.client.get("/experiments/" + id).json().getJsonObject("verdict");
                JsonObject i = v.getJsonObject("integrity");
                if (!v.getBoolean("final")) {
                    assertThat(i.getLong("lost")).as("live: nothing is lost while it can still come").isZero();
                    assertThat(v.getString("status")).isEqualTo("pending");
                    overduePeak[0] = Math.max(overduePeak[0], i.getLong("overdue"));
                }
                return v.getBoolean("final");
            });
            JsonObject e = fx.client.get("/experiments/" + id).json();
            JsonObject v = e.getJsonObject("verdict");
            JsonObject i = v.getJsonObject("integrity");
            long accepted = e.getJsonObject("stats").getJsonObject("summary").getLong("accepted");
            System.out.printf("without agent: accepted %d, overdue peak while pending %d, final integrity %s, status %s%n",
                    accepted, overduePeak[0], i.encode(), v.getString("status"));
            assertThat(accepted).as("the gateway accepts without the agent").isEqualTo(60);
            assertThat(overduePeak[0]).as("overdue while pending").isEqualTo(accepted);
            assertThat(i.getLong("expected")).isEqualTo(accepted);
            assertThat(i.getLong("delivered")).isZero();
            assertThat(i.getLong("lost")).as(v.encodePrettily()).isEqualTo(accepted);
            assertThat(i.getLong("overdue")).isZero();
            assertThat(v.getString("status")).isEqualTo("fail");
            assertThat(v.getJsonArray("criteria").stream().map(o -> (JsonObject) o)
                    .filter(c -> Boolean.FALSE.equals(c.getBoolean("pass"))).map(c -> c.getString("id"))).contains("lost");
        }
    }
}
