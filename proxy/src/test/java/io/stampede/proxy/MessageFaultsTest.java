package io.stampede.proxy;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.stampede.proxy.api.MessageRule;
import io.stampede.proxy.api.ProxyFault;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Message faults with a real nats-server and jnats clients through the proxy: a delay on one
 * subject leaves the other alone, seeded drops are exact, duplicates are the same frame twice,
 * reordering reorders and loses nothing, and JetStream redelivery heals deliveries dropped on
 * their way to the consumer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageFaultsTest {
    private static NatsServer nats;
    private NatsProxy proxy;
    private String url;

    @BeforeAll
    static void startNats() {
        nats = NatsServer.start();
    }

    @AfterAll
    static void stopNats() {
        nats.close();
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()));
        url = "nats://127.0.0.1:" + proxy.listenPort();
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private static Connection connect(String url, String name) throws Exception {
        return Nats.connect(new Options.Builder().server(url).connectionName(name).maxReconnects(-1).build());
    }

    private static ProxyFault fault(String subject, ProxyFault.Direction d, int delayMs, double drop, double dup,
                                    int reorderMs, Long seed, String client) {
        return new ProxyFault(delayMs, 0, d, 0, false, null, new MessageRule(subject, client, drop, dup, reorderMs, seed));
    }

    private static byte[] stamp(long seq) {
        return ByteBuffer.allocate(16).putLong(seq).putLong(System.nanoTime()).array();
    }

    @Test
    void delayOnOneSubjectLeavesTheOtherUntouched() throws Exception {
        try (Connection pub = connect(url, "pub"); Connection sub = connect(url, "sub")) {
            List<Long> slow = new CopyOnWriteArrayList<>();
            List<Long> fast = new CopyOnWriteArrayList<>();
            Dispatcher d = sub.createDispatcher(m -> {
                long sent = ByteBuffer.wrap(m.getData()).getLong(8);
                (m.getSubject().startsWith("slow") ? slow : fast).add(System.nanoTime() - sent);
            });
            d.subscribe("slow.>");
            d.subscribe("fast");
            sub.flush(Duration.ofSeconds(5));
            proxy.putFault("slow", fault("slow.>", ProxyFault.Direction.TO_SERVER, 200, 0, 0, 0, null, null));
            for (int i = 0; i < 200; i++) {
                pub.publish("slow.orders", stamp(i));
                pub.publish("fast", stamp(i));
                Thread.sleep(2);
            }
            Await.until("all delivered", Duration.ofSeconds(10), () -> slow.size() == 200 && fast.size() == 200);
            long[] s = slow.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] f = fast.stream().mapToLong(Long::longValue).sorted().toArray();
            assertThat(s[0] / 1e6).as("slow min ms").isGreaterThanOrEqualTo(200.0);
            assertThat(s[100] / 1e6).as("slow p50 ms").isBetween(200.0, 215.0);
            assertThat(f[100] / 1e6).as("fast p50 ms: not held behind slow ones").isLessThan(20.0);
            JsonObject c = proxy.fault("slow").getJsonObject("counters");
            assertThat(c.getLong("matched")).isEqualTo(200);
            assertThat(c.getLong("delayed")).isEqualTo(200);
            assertThat(c.getLong("reordered")).isZero();
        }
    }

    @Test
    void seededDropsAreExactAndTheOtherSubjectLosesNothing() throws Exception {
        int n = 3000;
        double rate = 0.3;
        long seed = 42;
        SplittableRandom r = new SplittableRandom(seed);
        int expectedDropped = 0;
        for (int i = 0; i < n; i++) {
            if (r.nextDouble() < rate) {
                expectedDropped++;
            }
        }
        try (Connection pub = connect(url, "pub"); Connection sub = connect(nats.url(), "sub")) {
            AtomicLong dropSubj = new AtomicLong();
            AtomicLong keepSubj = new AtomicLong();
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            Dispatcher d = sub.createDispatcher(m -> {
                if (m.getSubject().equals("d.x")) {
                    dropSubj.incrementAndGet();
                    seen.add(ByteBuffer.wrap(m.getData()).getLong(0));
                } else {
                    keepSubj.incrementAndGet();
                }
            });
            d.subscribe("d.x");
            d.subscribe("k.x");
            sub.flush(Duration.ofSeconds(5));
            proxy.putFault("drop", fault("d.*", ProxyFault.Direction.TO_SERVER, 0, rate, 0, 0, seed, null));
            Headers h = new Headers().put("X-Id", "1");
            for (int i = 0; i < n; i++) {
                if (i % 2 == 0) {
                    pub.publish("d.x", stamp(i));
                } else {
                    pub.publish("d.x", h, stamp(i)); // HPUB frames take part too
                }
                pub.publish("k.x", stamp(i));
            }
            pub.flush(Duration.ofSeconds(5));
            int exp = n - expectedDropped;
            Await.until("deliveries", Duration.ofSeconds(10), () -> dropSubj.get() == exp && keepSubj.get() == n);
            Thread.sleep(200);
            assertThat(dropSubj.get()).isEqualTo(exp);
            assertThat(seen).hasSize(exp);
            assertThat(keepSubj.get()).isEqualTo(n);
            JsonObject removed = proxy.removeFaultWithCounters("drop");
            assertThat(removed.getLong("matched")).isEqualTo(n);
            assertThat(removed.getLong("dropped")).isEqualTo(expectedDropped);
        }
    }

    @Test
    void duplicatesAreTheSameFrameTwiceAndReorderingLosesNothing() throws Exception {
        try (Connection pub = connect(url, "pub"); Connection sub = connect(url, "sub")) {
            List<Long> dups = new CopyOnWriteArrayList<>();
            List<Long> reord = new CopyOnWriteArrayList<>();
            Dispatcher d = sub.createDispatcher(m -> {
                long seq = ByteBuffer.wrap(m.getData()).getLong(0);
                (m.getSubject().equals("dup") ? dups : reord).add(seq);
            });
            d.subscribe("dup");
            d.subscribe("reo");
            sub.flush(Duration.ofSeconds(5));
            proxy.putFault("dup", fault("dup", ProxyFault.Direction.TO_CLIENT, 0, 0, 1.0, 0, 7L, null));
            proxy.putFault("reo", fault("reo", ProxyFault.Direction.TO_SERVER, 0, 0, 0, 50, 7L, null));
            for (int i = 0; i < 500; i++) {
                pub.publish("dup", stamp(i));
                pub.publish("reo", stamp(i));
                Thread.sleep(0, 500_000);
            }
            Await.until("deliveries", Duration.ofSeconds(10), () -> dups.size() == 1000 && reord.size() == 500);
            long[] ds = dups.stream().mapToLong(Long::longValue).toArray();
            for (int i = 0; i < 500; i++) {
                assertThat(ds[2 * i]).isEqualTo(i);
                assertThat(ds[2 * i + 1]).isEqualTo(i);
            }
            assertThat(new HashSet<>(reord)).hasSize(500);
            long outOfOrder = 0;
            for (int i = 1; i < reord.size(); i++) {
                if (reord.get(i) < reord.get(i - 1)) {
                    outOfOrder++;
                }
            }
            assertThat(outOfOrder).isGreaterThan(10);
            assertThat(proxy.fault("dup").getJsonObject("counters").getLong("duplicated")).isEqualTo(500);
            assertThat(proxy.fault("reo").getJsonObject("counters").getLong("reordered")).isGreaterThan(10);
            String metrics = proxy.metrics();
            assertThat(metrics).contains("nats_proxy_messages_duplicated_total{fault=\"dup\",subject=\"dup\"} 500");
        }
    }

    @Test
    void jetStreamRedeliveryHealsDropsOnTheWayToTheConsumer() throws Exception {
        int n = 300;
        try (Connection direct = connect(nats.url(), "producer"); Connection consumer = connect(url, "consumer-1")) {
            JetStreamManagement jsm = direct.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("HEAL").subjects("heal.>").storageType(StorageType.Memory).build());
            JetStream js = direct.jetStream();
            for (int i = 0; i < n; i++) {
                js.publish("heal.x", stamp(i));
            }
            proxy.putFault("lose", fault(">", ProxyFault.Direction.TO_CLIENT, 0, 0.2, 0, 0, 11L, "consumer-1"));
            JetStreamSubscription s = consumer.jetStream().subscribe("heal.x", PullSubscribeOptions.builder()
                    .configuration(ConsumerConfiguration.builder().durable("healer").ackPolicy(AckPolicy.Explicit)
                            .ackWait(Duration.ofMillis(500)).maxDeliver(-1).build()).build());
            Set<Long> got = new HashSet<>();
            long deliveries = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (got.size() < n && System.nanoTime() < deadline) {
                for (Message m : s.fetch(50, Duration.ofMillis(300))) {
                    deliveries++;
                    got.add(ByteBuffer.wrap(m.getData()).getLong(0));
                    m.ack();
                }
            }
            assertThat(got).as("every message, after redelivery: 0 lost").hasSize(n);
            JsonObject c = proxy.fault("lose").getJsonObject("counters");
            assertThat(c.getLong("dropped")).isGreaterThan(10);
            assertThat(deliveries).isGreaterThanOrEqualTo(n);
        }
    }

    @Test
    void aFrameBiggerThanTheRingMayGrowToPassesAsItIsAndSmallOnesStillGetTheirFault() throws Exception {
        try (NatsProxy small = NatsProxy.start(new ProxyConfig("127.0.0.1", 0, "127.0.0.1", nats.port(), "127.0.0.1", 0,
                128 * 1024, 0, ProxyConfig.DEFAULT_MEMORY_BUDGET_BYTES));
             Connection pub = connect("nats://127.0.0.1:" + small.listenPort(), "pub");
             Connection sub = connect(nats.url(), "sub")) {
            List<byte[]> got = new CopyOnWriteArrayList<>();
            Dispatcher d = sub.createDispatcher(m -> got.add(m.getData()));
            d.subscribe("big");
            sub.flush(Duration.ofSeconds(5));
            small.putFault("f", fault("big", ProxyFault.Direction.TO_SERVER, 0, 0, 1.0, 0, 1L, null));
            byte[] big = new byte[512 * 1024];
            new SplittableRandom(5).nextBytes(big);
            pub.publish("big", big);
            pub.publish("big", new byte[] {1, 2, 3});
            pub.flush(Duration.ofSeconds(5));
            Await.until("big and small", Duration.ofSeconds(10), () -> got.size() == 3);
            assertThat(got.get(0)).isEqualTo(big);                 // passed once, not duplicated
            assertThat(got.get(1)).containsExactly(1, 2, 3);         // the small one: twice
            assertThat(got.get(2)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void clientFilterAndAdminValidation() {
        ProxyFault bad = ProxyFault.fromJson(new JsonObject().put("subject", "a.>.b").put("drop_rate", 2)
                .put("reorder_window_ms", -1).put("bandwidth_kbps", 10));
        assertThat(bad.validate()).hasSize(4);
        assertThatThrownBy(() -> ProxyFault.fromJson(new JsonObject().put("drop_rate", 0.1)))
                .hasMessageContaining("drop_rate needs a subject");
        ProxyFault ok = ProxyFault.fromJson(new JsonObject().put("subject", "a.*").put("drop_rate", 0.5)
                .put("seed", 3).put("client", "x").put("direction", "both"));
        assertThat(ProxyFault.fromJson(ok.toJson())).isEqualTo(ok);
        assertThat(Arrays.asList(ok.validate().toArray())).isEmpty();
    }
}
