package io.stampede.loadgen.internal;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection status as a volatile flag, fed by jnats' connection events, so the publisher never
 * calls into jnats (which may take the writer lock) just to learn whether it is connected.
 */
public final class ConnectionState implements ConnectionListener {
    private volatile boolean connected = true;
    public final LongAdder disconnects = new LongAdder();
    public final LongAdder reconnects = new LongAdder();

    public boolean connected() {
        return connected;
    }

    @Override
    public void connectionEvent(Connection conn, Events type) {
        switch (type) {
            case CONNECTED, RECONNECTED, RESUBSCRIBED -> connected = true;
            case DISCONNECTED, CLOSED -> {
                connected = false;
                if (type == Events.DISCONNECTED) {
                    disconnects.increment();
                }
            }
            default -> { }
        }
        if (type == Events.RECONNECTED) {
            reconnects.increment();
        }
    }
}
