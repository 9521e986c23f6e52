package io.stampede.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.stampede.chaos.ApiClient;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.proxy.AdminServer;
import io.stampede.proxy.NatsProxy;
import io.stampede.proxy.ProxyConfig;
import io.stampede.reports.Verdict;
import io.stampede.reports.cli.VerdictCommand;
import io.stampede.reports.gate.Gate;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a message fault did reaches the verdict and the run record, on a real nats-server, a real
 * proxy and the chaos API with its baseline traffic (straight to NATS, as on the demo stack) and an
 * "agent" written here: a JetStream pull consumer connected through the proxy that decides each
 * signal.
 * <ul>
 *   <li>{@code nats_latency} with {@code subject: signals.>} (to_server) matches nothing (no
 *       publish of signals crosses the proxy): the verdict is {@code inconclusive} with reason
 *       {@code fault_matched_nothing}, in GET /experiments/{id}, verdict.json and the verdict
 *       command's table; its stats had the counter keys (zero) from the first GET on;</li>
 *   <li>{@code message_faults} dropping 20 % of {@code signals.>} to_client hits the agent's
 *       deliveries: verdict.json's {@code fault} has the proxy's final counters, the gate prints them;</li>
 *   <li>{@code duplicate_messages} from the bus: params name what is applied (subject, direction
 *       to_client; no baseline-only fields), and the final stats still describe the fault.</li>
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FaultEffectVerdictTest {
    @Test
    void theFaultsEffectIsInTheVerdictAndTheRunRecord() throws Exception {
        try (NatsServer nats = NatsServer.start();
             NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()));
             AdminServer admin = AdminServer.start(proxy);
             Connection direct = Nats.connect(nats.url());
             Connection agentConn = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + proxy.listenPort())
                     .connectionName("agent").build())) {
            direct.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>")
                    .storageType(StorageType.Memory).build());
            // as the demo agent consumes: a durable pull consumer, iterated (pulls kept outstanding)
            ConsumerContext pull = agentConn.getStreamContext("SIGNALS").createOrUpdateConsumer(ConsumerConfiguration.builder()
                    .durable("agent").filterSubject("signals.>").ackPolicy(AckPolicy.Explicit)
                    .ackWait(Duration.ofMillis(500)).maxDeliver(-1).build());
            AtomicBoolean running = new AtomicBoolean(true);
            Thread agent = new Thread(() -> {
                try (IterableConsumer it = pull.iterate(ConsumeOptions.builder().batchSize(50).expiresIn(2_000).build())) {
                    while (running.get()) {
                        Message m = it.nextMessage(Duration.ofMillis(200));
                        if (m == null) {
                            continue;
                        }
                        JsonObject s = new JsonObject(new String(m.getData(), StandardCharsets.UTF_8));
                        direct.publish("decisions.test", new JsonObject().put("id", s.getString("id"))
                                .put("sent_at", s.getValue("sent_at")).encode().getBytes(StandardCharsets.UTF_8));
                        m.ack();
                    }
                } catch (Exception stopping) {
                    // closed at the end
                }
            }, "test-agent");
            agent.start();

            ChaosConfig cfg = ChaosConfig.forTest(nats.url(), Map.of(), ApiFixture.tempDir(), 0.1).withBaseline(100)
                    .withProxyAdmin(URI.create(admin.baseUrl()));
            try (ApiFixture fx = ApiFixture.startDefault(cfg)) {
                Await.until("baseline decided through the proxy", Duration.ofSeconds(30), () -> {
                    ApiClient.Response r = fx.client.get("/baseline");
                    return r.status() == 200 && r.json().getJsonObject("verdict") != null
                            && r.json().getJsonObject("verdict").getJsonObject("integrity").getLong("delivered") > 50;
                });

                // 1. to_server on signals.>: the baseline publishes straight to NATS, nothing matches
                String latency = post(fx, "{\"type\":\"nats_latency\",\"delay_ms\":50,\"subject\":\"signals.>\",\"duration_s\":30}");
                JsonObject firstRunning = awaitRunning(fx, latency);
                assertThat(firstRunning.getJsonObject("stats").getLong("matched")).as("the first GET already has the counter keys: "
                        + firstRunning.getJsonObject("stats")).isNotNull();
                assertThat(firstRunning.getJsonObject("stats").getJsonObject("fault")).isNotNull();
                JsonObject v1 = awaitFinal(fx, latency);
                assertThat(v1.getJsonObject("fault").getLong("matched")).as(v1.encode()).isZero();
                assertThat(v1.getJsonArray("reasons").getJsonObject(0).getString("id")).isEqualTo("fault_matched_nothing");
                assertThat(v1.getJsonArray("reasons").getJsonObject(0).getString("message")).contains("signals.>").contains("to_server");
                assertThat(v1.getString("status")).isEqualTo("inconclusive");
                Path dir1 = Path.of(fx.client.get("/experiments/" + latency).json().getString("run_dir"));
                Verdict onDisk1 = Verdict.parse(Files.readString(dir1.resolve("verdict.json")));
                assertThat(onDisk1.reasons()).extracting(Verdict.Reason::id).containsExactly("fault_matched_nothing");
                assertThat(VerdictCommand.table(onDisk1)).contains("fault: subject=signals.> direction=to_server matched=0")
                        .contains("reason: fault_matched_nothing: ").endsWith("status: inconclusive (fault_matched_nothing)\n");

                // 2. to_client drops on signals.>: the agent's pull deliveries are hit
                String drops = post(fx, "{\"type\":\"message_faults\",\"subject\":\"signals.>\",\"direction\":\"to_client\","
                        + "\"drop_rate\":0.2,\"duration_s\":30}");
                JsonObject v2 = awaitFinal(fx, drops);
                JsonObject f2 = v2.getJsonObject("fault");
                assertThat(f2.getLong("matched")).as(v2.encode()).isPositive();
                assertThat(f2.getLong("dropped")).isPositive();
                assertThat(f2.getString("direction")).isEqualTo("to_client");
                assertThat(v2.getJsonArray("reasons")).isEmpty();
                JsonObject stats2 = fx.client.get("/experiments/" + drops).json().getJsonObject("stats");
                assertThat(f2.getLong("dropped")).as("the proxy's final counters").isEqualTo(stats2.getLong("dropped"));
                Path dir2 = Path.of(fx.client.get("/experiments/" + drops).json().getString("run_dir"));
                assertThat(Verdict.parse(Files.readString(dir2.resolve("verdict.json"))).fault().dropped()).isEqualTo(f2.getLong("dropped"));
                assertThat(Gate.judge(dir2, null).table()).contains("fault: subject=signals.> direction=to_client matched="
                        + f2.getLong("matched") + " delayed=0 dropped=" + f2.getLong("dropped"));

                // 3. bus duplicates: params are what is applied, and the final stats still describe the fault
                ApiClient.Response r3 = fx.client.postJson("/experiments",
                        "{\"type\":\"duplicate_messages\",\"source\":\"bus\",\"duplicate_rate\":0.5,\"duration_s\":30}");
                assertThat(r3.status()).as(r3.body()).isEqualTo(201);
                String bus = r3.json().getString("experiment_id");
                JsonObject params = fx.client.get("/experiments/" + bus).json().getJsonObject("params");
                assertThat(params.getString("direction")).as(params.encode()).isEqualTo("to_client");
                assertThat(params.getString("subject")).isEqualTo(">");
                assertThat(params.containsKey("duplicate_delay_ms")).as(params.encode()).isFalse();
                assertThat(params.containsKey("mode")).isFalse();
                JsonObject v3 = awaitFinal(fx, bus);
                JsonObject end = fx.client.get("/experiments/" + bus).json();
                assertThat(end.getJsonObject("stats").getJsonObject("fault")).as(end.getJsonObject("stats").encode()).isNotNull();
                assertThat(end.getJsonObject("stats").getJsonObject("fault").getString("subject")).isEqualTo(">");
                assertThat(v3.getJsonObject("fault").getLong("duplicated")).isPositive();
            } finally {
                running.set(false);
                agent.join(5_000);
            }
        }
    }

    private static String post(ApiFixture fx, String body) {
        ApiClient.Response r = fx.client.postJson("/experiments", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().getString("experiment_id");
    }

    private static JsonObject awaitRunning(ApiFixture fx, String id) {
        JsonObject[] seen = new JsonObject[1];
        Await.until(id + " running", Duration.ofSeconds(10), () -> {
            seen[0] = fx.client.get("/experiments/" + id).json();
            return "running".equals(seen[0].getString("status")) && "applied".equals(seen[0].getString("fault"));
        });
        return seen[0];
    }

    private static JsonObject awaitFinal(ApiFixture fx, String id) {
        Await.until(id + " final", Duration.ofSeconds(60),
                () -> fx.client.get("/experiments/" + id).json().getJsonObject("verdict").getBoolean("final"));
        return fx.client.get("/experiments/" + id).json().getJsonObject("verdict");
    }
}
