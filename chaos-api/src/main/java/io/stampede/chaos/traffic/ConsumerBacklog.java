package io.stampede.chaos.traffic;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerInfo;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system under test's JetStream consumer backlog (messages not yet delivered plus delivered
 * and not yet acknowledged), so a verdict can tell a backlog that drains from messages that are
 * gone. Its own connection, straight to NATS; null while NATS or the consumer cannot be read, and
 * always when the system file has no {@code backlog} section.
 */
public final class ConsumerBacklog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerBacklog.class);
    private final String natsUrl;
    private final String stream;
    private final String consumer;
    private Connection conn;
    private JetStreamManagement jsm;
    private long nextTryMs;

    public ConsumerBacklog(String natsUrl, String stream, String consumer) {
        this.natsUrl = natsUrl;
        this.stream = stream;
        this.consumer = consumer;
    }

    /** num_pending + num_ack_pending, or null when it cannot be read now. Blocks at most ~1 s. */
    public synchronized Long get() {
        if (stream == null || consumer == null) {
            return null; // the system file names no backlog: nothing is watched
        }
        try {
            if (jsm == null) {
                if (System.currentTimeMillis() < nextTryMs) {
                    return null;
                }
                nextTryMs = System.currentTimeMillis() + 5_000;
                conn = Nats.connect(Options.builder().server(natsUrl).connectionName("stampede-backlog")
                        .connectionTimeout(Duration.ofMillis(500)).maxReconnects(-1).build());
                jsm = conn.jetStreamManagement(JetStreamOptions.builder().requestTimeout(Duration.ofMillis(500)).build());
            }
            ConsumerInfo info = jsm.getConsumerInfo(stream, consumer);
            return info.getNumPending() + info.getNumAckPending();
        } catch (Exception e) {
            log.debug("consumer {}/{} backlog not readable: {}", stream, consumer, e.toString());
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (conn != null) {
            try {
                conn.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
