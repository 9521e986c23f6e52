package io.stampede.chaos.proxy;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.stampede.chaos.experiment.DuplicateMessages;
import io.stampede.chaos.experiment.MessageFaults;
import io.stampede.chaos.experiment.NatsLatency;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.proxy.LatencyProbe;
import io.stampede.proxy.ProxyMain;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The proxy as its own process ({@link ProxyMain} in a child JVM), driven by the injector over
 * its admin API; a controlling process that dies does not take NATS traffic down with it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProcessTest {
    private static final NatsLatency SPEC = new NatsLatency(30, 60, 0, NatsLatency.Direction.TO_SERVER);
    private NatsServer nats;
    private ChildJvm proxyJvm;
    private String natsUrl;
    private URI admin;

    @BeforeEach
    void start() {
        nats = NatsServer.start();
        int listen = FreePorts.next();
        int adminPort = FreePorts.next();
        proxyJvm = ChildJvm.start(ProxyMain.class, childLog("proxy"),
                "--listen=127.0.0.1:" + listen, "--upstream=127.0.0.1:" + nats.port(), "--admin=127.0.0.1:" + adminPort);
        FreePorts.awaitListening(adminPort, Duration.ofSeconds(20));
        FreePorts.awaitListening(listen, Duration.ofSeconds(5));
        natsUrl = "nats://127.0.0.1:" + listen;
        admin = URI.create("http://127.0.0.1:" + adminPort);
    }

    @AfterEach
    void stop() {
        if (proxyJvm != null) {
            proxyJvm.close();
        }
        nats.close();
    }

    /** Keeps the child's JSON log away from this JVM's test log file. */
    private static Map<String, String> childLog(String name) {
        return Map.of("stampede.test.log", "target/child-" + name + "-" + System.nanoTime() + ".jsonl");
    }

    private static ExperimentContext ctx(String id) {
        return new ExperimentContext(id, Path.of("target"), 1.0);
    }

    private JsonObject get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(admin.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body());
    }

    @Test
    void messageFaultsAndBusDuplicatesThroughTheProxyProcess() throws Exception {
        MessageFaultsInjector mf = new MessageFaultsInjector(admin);
        DuplicateMessagesRouter dups = new DuplicateMessagesRouter(BusDuplicatesAgentTest.neverBaseline(), admin);
        try (Connection pub = Nats.connect(natsUrl); Connection sub = Nats.connect(natsUrl)) {
            AtomicLong lost = new AtomicLong();
            AtomicLong kept = new AtomicLong();
            AtomicLong twice = new AtomicLong();
            Dispatcher d = sub.createDispatcher(m -> (m.getSubject().startsWith("mf.") ? lost
                    : m.getSubject().equals("dup") ? twice : kept).incrementAndGet());
            d.subscribe("mf.>");
            d.subscribe("other");
            d.subscribe("dup");
            sub.flush(Duration.ofSeconds(5));
            MessageFaults drop = new MessageFaults("mf.>", MessageFaults.Direction.TO_SERVER, null, 1.0, 0, 0, 0, 0, 60);
            JsonObject token = mf.apply(ctx("chaos_message_faults_1"), drop);
            DuplicateMessages bus = new DuplicateMessages(1.0, 60, 0, DuplicateMessages.Mode.APP, DuplicateMessages.Source.BUS, "dup");
            assertThat(dups.unavailable(bus)).isNull();
            JsonObject dupToken = dups.apply(ctx("chaos_duplicate_messages_2"), bus);
            assertThat(dupToken.getString("source")).isEqualTo("bus");
            for (int i = 0; i < 100; i++) {
                pub.publish("mf.a", new byte[8]);
                pub.publish("other", new byte[8]);
                pub.publish("dup", new byte[8]);
            }
            pub.flush(Duration.ofSeconds(5));
            Await.until("deliveries", Duration.ofSeconds(10), () -> kept.get() == 100 && twice.get() == 200);
            assertThat(lost.get()).isZero();
            Await.until("counters in stats", Duration.ofSeconds(10),
                    () -> mf.stats(ctx("chaos_message_faults_1")).json().getLong("dropped", 0L) == 100);
            JsonObject st = mf.stats(ctx("chaos_message_faults_1")).json();
            assertThat(st.getLong("matched")).isEqualTo(100);
            assertThat(st.getJsonObject("proxy_stats").getJsonObject("memory").getLong("budget_bytes")).isPositive();
            mf.revert(ctx("chaos_message_faults_1"), drop, token);
            mf.revert(ctx("chaos_message_faults_1"), drop, token); // idempotent
            dups.revert(ctx("chaos_duplicate_messages_2"), bus, dupToken);
            assertThat(mf.stats(ctx("chaos_message_faults_1")).json().getLong("dropped")).as("final counters kept").isEqualTo(100);
            assertThat(dups.stats(ctx("chaos_duplicate_messages_2")).json().getLong("duplicated")).isEqualTo(100);
            assertThat(get("/faults").getJsonObject("faults")).isEmpty();
            pub.publish("mf.a", new byte[8]);
            pub.flush(Duration.ofSeconds(5));
            Await.until("delivered once the fault is gone", Duration.ofSeconds(5), () -> lost.get() == 1);
        }
    }

    @Test
    void injectorAppliesRevertsAndIsIdempotent() throws Exception {
        try (LatencyProbe probe = new LatencyProbe(natsUrl, natsUrl, "inj")) {
            probe.run(200, 1000);
            double baseline = probe.run(60, 100).p50Ms();

            NatsLatencyInjector injector = new NatsLatencyInjector(admin);
            JsonObject token = injector.apply(ctx("chaos_nats_latency_1"), SPEC);
            assertThat(token.getString("fault_id")).isEqualTo("chaos_nats_latency_1");
            assertThat(token.getString("admin_url")).isEqualTo(admin.toString());
            JsonObject fault = get("/faults").getJsonObject("faults").getJsonObject("chaos_nats_latency_1");
            assertThat(fault.getInteger("delay_ms")).isEqualTo(30);
            assertThat(fault.getString("direction")).isEqualTo("to_server");
            assertThat(fault.getString("expires_at")).as("self-reverts if nobody comes back").isNotNull();
            assertThat(probe.run(60, 100).p50Ms()).isCloseTo(baseline + 30, within(2.0));

            // the port probe's connection closes too: publisher and subscriber remain
            Await.until("injector stats show 2 connections", Duration.ofSeconds(5), () ->
                    injector.stats(ctx("chaos_nats_latency_1")).json().getJsonObject("proxy_stats").getInteger("connections") == 2);

            // a new injector (a new process after a crash) reverts from the token alone
            new NatsLatencyInjector(URI.create("http://127.0.0.1:1")).revert(ctx("chaos_nats_latency_1"), SPEC, token);
            assertThat(get("/faults").getJsonObject("faults")).isEmpty();
            assertThat(probe.run(60, 100).p50Ms()).isCloseTo(baseline, within(2.0));
            injector.revert(ctx("chaos_nats_latency_1"), SPEC, token); // idempotent

            // crash during apply: no token, the experiment id names the fault
            injector.apply(ctx("chaos_nats_latency_2"), SPEC);
            injector.revert(ctx("chaos_nats_latency_2"), SPEC, null);
            injector.revert(ctx("chaos_nats_latency_2"), SPEC, null);
            assertThat(get("/faults").getJsonObject("faults")).isEmpty();
            assertThat(probe.run(60, 100).p50Ms()).isCloseTo(baseline, within(2.0));
        }
    }

    @Test
    void trafficKeepsFlowingWhenTheControllingProcessIsKilled() throws Exception {
        try (LatencyProbe probe = new LatencyProbe(natsUrl, natsUrl, "ctl")) {
            probe.run(200, 1000);
            double baseline = probe.run(60, 100).p50Ms();
            try (ChildJvm controller = ChildJvm.start(InjectorControllerMain.class, childLog("controller"),
                    admin.toString(), "chaos_nats_latency_9", "25")) {
                Await.until("controller applied the fault", Duration.ofSeconds(20), () -> controller.log().contains("TOKEN "));
                String line = controller.log().lines().filter(l -> l.startsWith("TOKEN ")).findFirst().orElseThrow();
                JsonObject token = new JsonObject(line.substring("TOKEN ".length()));

                controller.kill9();
                assertThat(controller.isAlive()).isFalse();
                assertThat(proxyJvm.isAlive()).isTrue();
                // no chaos API any more: traffic still flows, with the fault still in place
                assertThat(probe.run(60, 100).p50Ms()).isCloseTo(baseline + 25, within(2.0));

                // the next chaos API process reverts from the journaled token
                new NatsLatencyInjector(admin).revert(ctx("chaos_nats_latency_9"), SPEC, token);
                assertThat(probe.run(60, 100).p50Ms()).isCloseTo(baseline, within(2.0));
            }
            assertThat(probe.badOrder()).isZero();
            assertThat(probe.received()).isEqualTo(probe.published());
        }
    }
}
