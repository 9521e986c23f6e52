package io.stampede.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.stampede.chaos.experiment.Limits;
import io.stampede.chaos.experiment.MessageFaults;
import io.stampede.chaos.experiment.SpecCodec;
import io.stampede.chaos.experiment.Templates;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.proxy.AdminServer;
import io.stampede.proxy.NatsProxy;
import io.stampede.proxy.ProxyConfig;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The templates {@code lossy_deliveries} and {@code reordered_deliveries} fault the deliveries the
 * demo agent consumes and nothing else: applied as the API applies them (template → SpecCodec →
 * {@link MessageFaultsInjector} → a real proxy), a JetStream publisher through the proxy (as the
 * gateway is) gets every publish ack, while a pull consumer through the proxy (as the agent is)
 * has its deliveries dropped and redelivered. With subject {@code >} the publish acks were dropped
 * too (the gateway's 504s on the demo stack).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeliveryTemplatesTest {
    private static final int N = 150;

    static MessageFaults spec(String template) {
        return (MessageFaults) parsed(template);
    }

    static io.stampede.chaos.experiment.ExperimentSpec parsed(String template) {
        JsonObject params = Templates.byName(template).orElseThrow().params().copy().put("duration_s", 60);
        Limits limits = new Limits(Set.of(), List.of(), "http://127.0.0.1:1/webhook", 5000, 100, 100_000, 0.001, 100, 2);
        SpecCodec.Result r = new SpecCodec(limits).parse(params);
        assertThat(r.problems()).isEmpty();
        return r.parsed().spec();
    }

    /** slow_subject delays something of the demo: the signal deliveries to a pull consumer through the proxy (orders.> matched nothing). */
    @Test
    void slowSubjectDelaysTheSignalDeliveries() throws Exception {
        try (NatsServer nats = NatsServer.start();
             NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()));
             AdminServer admin = AdminServer.start(proxy);
             Connection direct = Nats.connect(nats.url());
             Connection agent = connect(proxy, "stampede-demo-agent")) {
            direct.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>")
                    .storageType(StorageType.Memory).build());
            var spec = (io.stampede.chaos.experiment.NatsLatency) parsed("slow_subject");
            NatsLatencyInjector injector = new NatsLatencyInjector(URI.create(admin.baseUrl()));
            ExperimentContext ctx = new ExperimentContext("chaos_nats_latency_slow_subject", Path.of("target"), 1.0);
            JsonObject token = injector.apply(ctx, spec);
            JetStream js = direct.jetStream(); // straight to NATS, as the baseline traffic publishes
            for (int i = 0; i < 20; i++) {
                js.publish("signals.AAPL", ("s" + i).getBytes(StandardCharsets.US_ASCII));
            }
            JetStreamSubscription s = agent.jetStream().subscribe("signals.>", PullSubscribeOptions.builder()
                    .configuration(ConsumerConfiguration.builder().durable("agent").ackPolicy(AckPolicy.Explicit).build()).build());
            int got = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got < 20 && System.nanoTime() < deadline) {
                for (Message m : s.fetch(20, Duration.ofMillis(500))) {
                    got++;
                    m.ack();
                }
            }
            injector.revert(ctx, spec, token);
            JsonObject stats = injector.stats(ctx).json();
            assertThat(got).isEqualTo(20);
            assertThat(stats.getLong("matched")).as(stats.encode()).isGreaterThanOrEqualTo(20);
            assertThat(stats.getLong("delayed")).isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void deliveryTemplatesLeavePublishAcksAlone() throws Exception {
        for (String template : List.of("lossy_deliveries", "reordered_deliveries")) {
            try (NatsServer nats = NatsServer.start();
                 NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()));
                 AdminServer admin = AdminServer.start(proxy);
                 Connection direct = Nats.connect(nats.url());
                 Connection gateway = connect(proxy, "stampede-demo-gateway");
                 Connection agent = connect(proxy, "stampede-demo-agent")) {
                direct.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>")
                        .storageType(StorageType.Memory).build());
                MessageFaults spec = spec(template);
                MessageFaultsInjector injector = new MessageFaultsInjector(URI.create(admin.baseUrl()));
                ExperimentContext ctx = new ExperimentContext("chaos_message_faults_" + template, Path.of("target"), 1.0);
                JsonObject token = injector.apply(ctx, spec);
                JetStream js = gateway.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofMillis(500)).build());
                int ackFailures = 0;
                for (int i = 0; i < N; i++) {
                    try {
                        js.publish("signals.AAPL", ("s" + i).getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception noAck) {
                        ackFailures++;
                    }
                }
                JetStreamSubscription s = agent.jetStream().subscribe("signals.>", PullSubscribeOptions.builder()
                        .configuration(ConsumerConfiguration.builder().durable("agent").ackPolicy(AckPolicy.Explicit)
                                .ackWait(Duration.ofMillis(500)).maxDeliver(-1).build()).build());
                Set<String> got = new HashSet<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                while (got.size() < N - ackFailures && System.nanoTime() < deadline) {
                    for (Message m : s.fetch(25, Duration.ofMillis(300))) {
                        got.add(new String(m.getData(), StandardCharsets.US_ASCII));
                        m.ack();
                    }
                }
                injector.revert(ctx, spec, token);
                JsonObject stats = injector.stats(ctx).json();
                System.out.printf("%s: %d publish acks missing, %d of %d delivered, proxy %s%n", template, ackFailures, got.size(), N,
                        stats.encode());
                assertThat(ackFailures).as(template + ": the gateway's publish acks (replies on _INBOX) are not faulted").isZero();
                assertThat(got).as(template + ": every signal delivered to the agent (redelivered after a drop)").hasSize(N);
                assertThat(stats.getLong("matched")).as(template + ": the agent's deliveries were hit").isGreaterThanOrEqualTo(N);
                assertThat(spec.subject()).isEqualTo("signals.>");
                if (spec.dropRate() > 0) {
                    assertThat(stats.getLong("dropped")).isPositive();
                } else {
                    assertThat(stats.getLong("reordered")).isPositive();
                }
            }
        }
    }

    private static Connection connect(NatsProxy proxy, String name) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + proxy.listenPort()).connectionName(name).build());
    }
}
