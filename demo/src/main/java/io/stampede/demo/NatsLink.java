package io.stampede.demo;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NATS connection that is retried forever, from the first connect on: a service starts
 * (and answers healthz with 503) even while NATS is down. {@code setup} runs once after the
 * first connect (streams, consumers) and is retried until it succeeds.
 */
public final class NatsLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NatsLink.class);

    /** Work to run once connected; may throw, it is retried. */
    @FunctionalInterface
    public interface Setup {
        void run(NatsLink link) throws Exception;
    }

    private final String url;
    private final Thread starter;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile Connection connection;
    private volatile boolean closed;
    private volatile String lastEvent = "connecting";
    private final java.util.concurrent.atomic.AtomicLong reconnects = new java.util.concurrent.atomic.AtomicLong();

    private NatsLink(String url, String name, Setup setup) {
        this.url = url;
        this.starter = new Thread(() -> connectAndSetup(name, setup), name + "-nats-connect");
        this.starter.setDaemon(true);
    }

    public static NatsLink start(String url, String name, Setup setup) {
        NatsLink link = new NatsLink(url, name, setup);
        link.starter.start();
        return link;
    }

    private void connectAndSetup(String name, Setup setup) {
        ConnectionListener listener = (conn, event) -> {
            lastEvent = event.name().toLowerCase();
            if (event == ConnectionListener.Events.RECONNECTED) {
                reconnects.incrementAndGet();
            }
            log.info("nats connection event {}", event);
        };
        Options options = new Options.Builder()
                .server(url)
                .connectionName(name)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .connectionTimeout(Duration.ofSeconds(2))
                .connectionListener(listener)
                .errorListener(new io.nats.client.ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        log.warn("nats error {}", error);
                    }

                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        log.debug("nats exception", exp);
                    }
                })
                .build();
        try {
            connection = Nats.connectReconnectOnConnect(options);
        } catch (Exception e) {
            if (!closed) {
                log.error("nats connect gave up", e);
            }
            return;
        }
        while (!closed) {
            try {
                setup.run(this);
                ready.countDown();
                log.info("nats ready at {}", url);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.warn("nats setup failed, retrying in 1 s: {}", e.toString());
                sleepQuietly(1000);
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The connection once it exists (it may be reconnecting), else null. */
    public Connection connection() {
        return connection;
    }

    public boolean isReady() {
        return ready.getCount() == 0;
    }

    public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
        return ready.await(timeout, unit);
    }

    /** Connected now and set up: what healthz reports as up. */
    public boolean isConnected() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED && isReady();
    }

    public String status() {
        Connection c = connection;
        return c == null ? lastEvent : c.getStatus().name().toLowerCase();
    }

    /** Grows at each reconnect: pull consumers compare it to know their pending pulls died with the old socket. */
    public long reconnects() {
        return reconnects.get();
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        closed = true;
        starter.interrupt();
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
