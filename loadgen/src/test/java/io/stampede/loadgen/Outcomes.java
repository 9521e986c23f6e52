package io.stampede.loadgen;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** A test subscriber that counts what arrives on a subject and keeps a sample of messages. */
final class Outcomes implements AutoCloseable {
    final Connection conn;
    final AtomicLong count = new AtomicLong();
    final ConcurrentLinkedQueue<Message> kept = new ConcurrentLinkedQueue<>();
    final Map<String, Long> byHeader = Collections.synchronizedMap(new HashMap<>());
    private final int keep;

    Outcomes(String url, String subject, int keep) throws IOException, InterruptedException {
        this.keep = keep;
        conn = Nats.connect(url);
        Dispatcher d = conn.createDispatcher(m -> {
            long n = count.incrementAndGet();
            if (n <= keep) {
                kept.add(m);
            }
            String e = m.getHeaders() == null ? null : m.getHeaders().getFirst("Stampede-Experiment");
            String dup = m.getHeaders() == null ? null : m.getHeaders().getFirst("Stampede-Duplicate");
            String key = (dup != null ? "dup:" : "orig:") + e;
            byHeader.merge(key, 1L, Long::sum);
        });
        d.setPendingLimits(-1, -1);
        d.subscribe(subject);
        try {
            conn.flush(Duration.ofSeconds(5));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    long header(String key) {
        return byHeader.getOrDefault(key, 0L);
    }

    @Override
    public void close() throws InterruptedException {
        conn.close();
    }
}
