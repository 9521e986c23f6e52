package io.stampede.loadgen.internal;

import io.nats.client.Statistics;

/**
 * Recycles payload arrays for one connection without ever handing jnats an array it has not
 * copied yet.
 *
 * <p>jnats keeps the {@code byte[]} given to {@code publish()} until its writer thread copies it
 * into the socket buffer, and then counts the message in {@link Statistics#getOutMsgs()}. Our
 * publishes on a connection are written in the order they were queued, so array number
 * {@code k} (the k-th accepted publish since this pool was created) is free once
 * {@code outMsgs - outMsgsAtStart - PROTOCOL_MARGIN > k}. {@code outMsgs} also counts protocol
 * messages (PING, PONG, SUB, CONNECT after a reconnect); {@link #PROTOCOL_MARGIN} assumes fewer
 * than 4096 of those in one run (a PING every 2 minutes plus a handful per reconnect).
 *
 * <p>When the slot's previous array is not yet known to be copied, a fresh array is allocated
 * and counted in {@link #freshAllocations()}, so the zero-allocation claim stays measurable.
 * Single-threaded: one pool per publishing thread and connection.
 */
public final class PayloadPool {
    static final long PROTOCOL_MARGIN = 4096;
    /** Outgoing queue (5000) + one writer batch (at most another queue's worth) + margin. */
    static final int MIN_SLOTS = 16_384;
    static final long MAX_POOL_BYTES = 64L << 20;

    private final Statistics stats;
    private final long outAtStart;
    private final byte[][] slots;
    private final long[] slotIndex;
    private final int mask;
    private final int size;
    private long accepted;
    /** Last read of outMsgs: reading it per message would bounce its cache line with the writer thread. */
    private long outSeen;
    private long freshAllocations;
    private byte[] current;
    private int currentSlot = -1;

    public PayloadPool(Statistics stats, int payloadSize) {
        this.stats = stats;
        this.size = payloadSize;
        this.outAtStart = stats == null ? 0 : stats.getOutMsgs();
        this.outSeen = outAtStart;
        int n = MIN_SLOTS * 2;
        while (n > MIN_SLOTS && (long) n * payloadSize > MAX_POOL_BYTES) {
            n >>= 1;
        }
        boolean enabled = stats != null && (long) n * payloadSize <= MAX_POOL_BYTES;
        slots = enabled ? new byte[n][] : new byte[0][];
        slotIndex = new long[slots.length];
        mask = n - 1;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new byte[payloadSize];
            slotIndex[i] = -1;
        }
    }

    /** The array for the next publish; fill it, then {@link #accepted()} if publish queued it. */
    public byte[] next() {
        if (slots.length == 0) {
            freshAllocations++;
            return current = new byte[size];
        }
        int slot = (int) (accepted & mask);
        long previous = slotIndex[slot];
        if (previous >= 0 && outSeen - outAtStart - PROTOCOL_MARGIN <= previous
                && (outSeen = stats.getOutMsgs()) - outAtStart - PROTOCOL_MARGIN <= previous) {
            freshAllocations++;
            currentSlot = -1;
            return current = new byte[size];
        }
        currentSlot = slot;
        return current = slots[slot];
    }

    /** The array from {@link #next()} now belongs to jnats until written. */
    public void accepted() {
        if (currentSlot >= 0) {
            slotIndex[currentSlot] = accepted;
            currentSlot = -1;
        } else if (slots.length > 0) {
            // a fresh array took this turn: the slot keeps its older array, whose index is smaller, so it is still safe
            int slot = (int) (accepted & mask);
            slots[slot] = current;
            slotIndex[slot] = accepted;
        }
        accepted++;
    }

    public long freshAllocations() {
        return freshAllocations;
    }

    public boolean pooled() {
        return slots.length > 0;
    }
}
