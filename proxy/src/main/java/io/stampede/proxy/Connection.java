package io.stampede.proxy;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection and its upstream connection: two channels, two pipes. Learns the client's
 * name from its {@code CONNECT} and whether it negotiates TLS (then both pipes pass bytes only).
 */
final class Connection implements NatsParser.Listener {
    final long id;
    final SocketChannel client;
    final SocketChannel server;
    final Pipe up;   // client → server
    final Pipe down; // server → client
    final Endpoint clientEnd;
    final Endpoint serverEnd;
    boolean connected;
    boolean closed;
    /** the name in the client's CONNECT, null until then (or if it has none) */
    String clientName;
    boolean tls;
    /** the plan's message faults, kept to pick again once the client's name is known */
    MessageFault[] planFaults = new MessageFault[0];

    Connection(long id, SocketChannel client, SocketChannel server, int maxRing, Memory memory, FrameStore store) {
        this.id = id;
        this.client = client;
        this.server = server;
        this.up = new Pipe(this, true, client, server, maxRing, memory, store, this);
        Pipe d;
        try {
            d = new Pipe(this, false, server, client, maxRing, memory, store, this);
        } catch (RuntimeException e) {
            up.free();
            throw e;
        }
        this.down = d;
        this.clientEnd = new Endpoint(this, client, up, down);
        this.serverEnd = new Endpoint(this, server, down, up);
    }

    void setFaults(MessageFault[] all, long now) {
        planFaults = all;
        up.setFaults(all, clientName, now);
        down.setFaults(all, clientName, now);
    }

    @Override
    public void clientName(String name) {
        clientName = name;
        setFaults(planFaults, System.nanoTime());
    }

    @Override
    public void tls() {
        tls = true;
        up.parser.goOpaque();
        down.parser.goOpaque();
    }

    boolean finished() {
        return up.finished() && down.finished();
    }

    void updateInterest() {
        if (connected && !closed) {
            clientEnd.updateInterest();
            serverEnd.updateInterest();
        }
    }

    /** Closes both sides; {@code reset} sends RST instead of FIN so peers see a dropped connection. */
    void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(client, reset);
        closeQuietly(server, reset);
        up.free();
        down.free();
    }

    private static void closeQuietly(SocketChannel ch, boolean reset) {
        try {
            if (reset && ch.isOpen()) {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException ignored) {
            // not connected yet: plain close is all there is
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The selection key attachment of one channel: the pipe it feeds and the pipe it drains. */
    static final class Endpoint {
        final Connection conn;
        final SocketChannel channel;
        final Pipe readPipe;
        final Pipe writePipe;
        SelectionKey key;
        private int interest = -1;

        Endpoint(Connection conn, SocketChannel channel, Pipe readPipe, Pipe writePipe) {
            this.conn = conn;
            this.channel = channel;
            this.readPipe = readPipe;
            this.writePipe = writePipe;
        }

        void updateInterest() {
            int ops = (readPipe.wantsRead() ? SelectionKey.OP_READ : 0)
                    | (writePipe.wantsWrite() ? SelectionKey.OP_WRITE : 0);
            if (ops != interest && key != null && key.isValid()) {
                interest = ops;
                key.interestOps(ops);
            }
        }
    }
}
