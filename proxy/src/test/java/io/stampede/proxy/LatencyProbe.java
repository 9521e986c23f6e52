package io.stampede.proxy;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A jnats publisher and subscriber (each its own connection, possibly through the proxy) that
 * measures publish→subscribe latency and checks every message arrives once, in order, intact.
 */
public final class LatencyProbe implements AutoCloseable {
    public static final int SIZE = 128;

    private final Connection pub;
    private final Connection sub;
    private final String subject;
    private final long[] latencies = new long[1 << 20];
    private final AtomicLong received = new AtomicLong();
    private volatile long expectedSeq;
    private volatile long badOrder;
    private volatile long badContent;
    private long nextSeq;

    public LatencyProbe(String pubUrl, String subUrl, String subject) throws Exception {
        this.subject = subject;
        this.pub = Nats.connect(options(pubUrl));
        this.sub = Nats.connect(options(subUrl));
        Dispatcher d = sub.createDispatcher(m -> onMessage(m.getData()));
        d.subscribe(subject);
        sub.flush(Duration.ofSeconds(5));
    }

    private static Options options(String url) {
        return new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(5)).build();
    }

    private void onMessage(byte[] data) {
        long now = System.nanoTime();
        ByteBuffer b = ByteBuffer.wrap(data);
        long seq = b.getLong();
        long sent = b.getLong();
        if (seq != expectedSeq) {
            badOrder++;
        }
        expectedSeq = seq + 1;
        for (int i = 16; i < data.length; i++) {
            if (data[i] != (byte) (seq + i)) {
                badContent++;
                break;
            }
        }
        if (data.length != SIZE) {
            badContent++;
        }
        long n = received.getAndIncrement();
        latencies[(int) (n & (latencies.length - 1))] = now - sent;
    }

    /** Publishes {@code count} messages at {@code rate}/s (open model) and waits for all of them. */
    public Sample run(int count, int rate) {
        long firstIndex = received.get();
        publishPaced(count, rate);
        awaitReceived(firstIndex + count, Duration.ofSeconds(10));
        long[] ms = new long[count];
        for (int i = 0; i < count; i++) {
            ms[i] = latencies[(int) ((firstIndex + i) & (latencies.length - 1))];
        }
        return new Sample(ms);
    }

    public void publishPaced(int count, int rate) {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            publishOne();
        }
    }

    public void publishOne() {
        long seq = nextSeq++;
        byte[] payload = new byte[SIZE]; // jnats may keep the array until its writer thread sends it
        ByteBuffer b = ByteBuffer.wrap(payload);
        b.putLong(seq).putLong(System.nanoTime());
        for (int i = 16; i < SIZE; i++) {
            payload[i] = (byte) (seq + i);
        }
        pub.publish(subject, payload);
    }

    public long published() {
        return nextSeq;
    }

    public long received() {
        return received.get();
    }

    public void awaitReceived(long n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("received " + received.get() + " of " + n + " messages");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    public long badOrder() {
        return badOrder;
    }

    public long badContent() {
        return badContent;
    }

    @Override
    public void close() throws InterruptedException {
        pub.close();
        sub.close();
    }

    /** Latencies of one run, in nanoseconds. */
    public record Sample(long[] nanos) {
        public Sample {
            nanos = nanos.clone();
            Arrays.sort(nanos);
        }

        public double percentileMs(double p) {
            int i = (int) Math.min(nanos.length - 1, Math.max(0, Math.ceil(p / 100.0 * nanos.length) - 1));
            return nanos[i] / 1e6;
        }

        public double p50Ms() {
            return percentileMs(50);
        }

        public double minMs() {
            return nanos[0] / 1e6;
        }

        public double maxMs() {
            return nanos[nanos.length - 1] / 1e6;
        }

        @Override
        public String toString() {
            return String.format("p0=%.2fms p10=%.2f p50=%.2f p90=%.2f p100=%.2f n=%d",
                    minMs(), percentileMs(10), p50Ms(), percentileMs(90), maxMs(), nanos.length);
        }
    }
}
