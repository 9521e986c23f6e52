package io.stampede.proxy;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.stampede.proxy.api.MessageRule;
import io.stampede.proxy.api.ProxyFault;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pass-through path allocates nothing per message, measured: bytes the proxy loop thread
 * allocated while 200 000 messages went through it (publisher and subscriber both through the
 * proxy), with no fault and with a message fault whose subject matches nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PassThroughAllocationTest {
    private static final int N = 200_000;

    @Test
    void loopThreadAllocatesNothingPerMessage() throws Exception {
        try (NatsServer nats = NatsServer.start(); NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()))) {
            String url = "nats://127.0.0.1:" + proxy.listenPort();
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long loop = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("nats-proxy-loop"))
                    .findFirst().orElseThrow().getId();
            Options o = new Options.Builder().server(url).maxMessagesInOutgoingQueue(1_000_000).build();
            try (Connection pub = Nats.connect(o); Connection sub = Nats.connect(o)) {
                AtomicLong got = new AtomicLong();
                Dispatcher d = sub.createDispatcher(m -> got.incrementAndGet());
                d.subscribe("alloc");
                d.setPendingLimits(-1, -1);
                sub.flush(Duration.ofSeconds(5));
                byte[] payload = new byte[128];
                send(pub, got, payload, N); // warm up: JIT, ring sizes
                long[] perRun = new long[2];
                for (int run = 0; run < 2; run++) {
                    if (run == 1) {
                        proxy.putFault("nomatch", new ProxyFault(100, 0, ProxyFault.Direction.BOTH, 0, false, null,
                                new MessageRule("nothing.>", null, 0.5, 0.5, 0, null)));
                        send(pub, got, payload, N / 4); // the message-mode path warm
                    }
                    long before = mx.getThreadAllocatedBytes(loop);
                    send(pub, got, payload, N);
                    perRun[run] = mx.getThreadAllocatedBytes(loop) - before;
                }
                System.out.printf("proxy loop allocated %d B (no fault), %d B (non-matching fault) for %d messages each%n",
                        perRun[0], perRun[1], N);
                assertThat(perRun[0]).as("bytes allocated by the loop, no fault").isLessThan(N / 8);
                assertThat(perRun[1]).as("bytes allocated by the loop, non-matching fault").isLessThan(N / 8);
            }
        }
    }

    private static void send(Connection pub, AtomicLong got, byte[] payload, int n) throws Exception {
        long target = got.get() + n;
        for (int i = 0; i < n; i++) {
            pub.publish("alloc", payload);
        }
        pub.flush(Duration.ofSeconds(30));
        Await.until("delivered", Duration.ofSeconds(30), () -> got.get() >= target);
    }
}
