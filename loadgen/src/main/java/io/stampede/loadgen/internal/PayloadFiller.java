package io.stampede.loadgen.internal;

import io.nats.client.Statistics;

/**
 * Writes message bodies into pooled arrays: on the pacer thread when paced, so the publisher only
 * waits and publishes; on each connection's publisher thread when unpaced (see {@link Publisher}),
 * because there the pacer would be a third busy thread on top of the publisher and the jnats
 * writer (on two cores that cost 18 % at 1 KiB, loadgen/README.md "Benchmark"). Connection c's
 * pool, counters and slot states are only touched by whoever fills for c: the pacer for all, or
 * publisher c for its own.
 *
 * <p>jnats keeps the {@code byte[]} given to {@code publish()} until its writer thread copies it
 * into the socket buffer, and counts each copied message in {@link Statistics#getOutMsgs()}. Our
 * publishes on one connection are copied in the order they were queued, so the array of the k-th
 * accepted publish (the publisher records k in {@link #slotState(int)}) is free once
 * {@code outMsgs - outMsgsAtStart - PROTOCOL_MARGIN > k}. {@code outMsgs} also counts protocol
 * messages (PING, PONG, SUB, CONNECT after a reconnect); the margin assumes fewer than 4096 of them
 * per run (a PING every 2 minutes plus a handful per reconnect).
 *
 * <p>Each connection has a pool of {@code P >= ring size + 16384} arrays used round-robin. The ring
 * holds at most {@code ring size} unprocessed events, so when pool slot j comes round again its
 * previous message has been through the publisher (the Disruptor's gating makes the publisher's
 * write of the slot state visible here) and at least 16384 publishes followed it; jnats holds at
 * most its 5000-message queue plus one writer batch. If the check still fails, the message gets a
 * fresh array, counted in {@link #freshAllocations()}: the claim "no allocation per message" stays
 * measurable. Payloads too large to pool (P × size > 64 MiB) are always fresh arrays.
 */
public final class PayloadFiller {
    static final long PROTOCOL_MARGIN = 4096;
    static final int SLACK = 16_384;
    public static final long MAX_POOL_BYTES = 64L << 20;
    private static final long FREE = -1;
    private static final long IN_RING = Long.MAX_VALUE;

    private final PayloadTemplate template;
    private final Statistics[] stats;
    private final long[] outAtStart;
    private final long[] outSeen;
    private final int connections;
    private final byte[][][] pools;
    private final long[][] states;
    /** The template each pooled array holds (-1: none yet): same template, only the variable slots are rewritten. */
    private final int[][] held;
    private final long[] fills;
    private final int mask;
    /** Per connection: fresh arrays handed out (each written by one thread, read for stats). */
    private final java.util.concurrent.atomic.AtomicLongArray fresh;

    public PayloadFiller(PayloadTemplate template, Statistics[] stats, int ringSize) {
        this.template = template;
        this.stats = stats;
        this.connections = stats.length;
        this.outAtStart = new long[connections];
        this.outSeen = new long[connections];
        for (int i = 0; i < connections; i++) {
            outAtStart[i] = stats[i].getOutMsgs();
            outSeen[i] = outAtStart[i];
        }
        int p = Integer.highestOneBit(ringSize + SLACK - 1) << 1;
        boolean pooled = (long) p * template.size() * connections <= MAX_POOL_BYTES;
        int slots = pooled ? p : 0;
        mask = p - 1;
        pools = new byte[connections][slots][];
        states = new long[connections][slots];
        held = new int[connections][slots];
        fills = new long[connections];
        fresh = new java.util.concurrent.atomic.AtomicLongArray(connections);
        for (int c = 0; c < connections; c++) {
            for (int j = 0; j < slots; j++) {
                pools[c][j] = new byte[template.size()];
                states[c][j] = FREE;
                held[c][j] = -1;
            }
        }
    }

    public long freshAllocations() {
        long n = 0;
        for (int c = 0; c < connections; c++) {
            n += fresh.get(c);
        }
        return n;
    }

    /** Where the publisher of connection c records the accepted index (or -1) of each pool slot. */
    public long[] slotState(int c) {
        return states[c];
    }

    /** Fills the event's body for message {@code seq}; {@code ringSequence} picks the connection. */
    public void fill(SendEvent ev, long ringSequence, long seq, long sentAtNanos) {
        int c = connections == 1 ? 0 : (int) (ringSequence % connections);
        long[] state = states[c];
        byte[] body = null;
        int slot = -1;
        if (state.length > 0) {
            slot = (int) (fills[c]++ & mask);
            long k = state[slot];
            if (k == FREE || (k != IN_RING && written(c, k))) {
                body = pools[c][slot];
                state[slot] = IN_RING;
            } else {
                slot = -1;
            }
        }
        ev.poolSlot = slot;
        if (body == null) {
            body = new byte[template.size()];
            fresh.lazySet(c, fresh.get(c) + 1); // one writer per connection
            ev.symbol = template.write(body, seq, EpochClock.epochMicros(sentAtNanos));
        } else {
            int[] h = held[c];
            int t = template.templateOf(seq);
            ev.symbol = template.write(body, seq, EpochClock.epochMicros(sentAtNanos), h[slot]);
            h[slot] = t;
        }
        ev.payload = body;
    }

    private boolean written(int c, long k) {
        if (outSeen[c] - outAtStart[c] - PROTOCOL_MARGIN > k) {
            return true;
        }
        // reading outMsgs bounces its cache line with the jnats writer: only when the cached value is not enough
        outSeen[c] = stats[c].getOutMsgs();
        return outSeen[c] - outAtStart[c] - PROTOCOL_MARGIN > k;
    }
}
