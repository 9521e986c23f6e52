package io.stampede.loadgen.bench;

import io.nats.client.Connection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline: a plain jnats {@code publish()} loop on its own thread, same connection options,
 * one pre-filled payload array published again and again (legal: it is never modified).
 */
final class RawPublishLoop implements Runnable {
    private final Connection conn;
    private final String subject;
    private final byte[] payload;
    final AtomicLong published = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;

    RawPublishLoop(Connection conn, String subject, int size) {
        this.conn = conn;
        this.subject = subject;
        this.payload = new byte[size];
        java.util.Arrays.fill(payload, (byte) 'x');
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        long n = 0;
        long f = 0;
        while (running) {
            for (int k = 0; k < 256; k++) {
                try {
                    conn.publish(subject, payload);
                    n++;
                } catch (IllegalStateException full) {
                    f++;
                }
            }
            published.lazySet(n);
            failed.lazySet(f);
        }
        published.set(n);
        failed.set(f);
    }
}
