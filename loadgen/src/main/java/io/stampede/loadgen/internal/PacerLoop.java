package io.stampede.loadgen.internal;

import com.lmax.disruptor.RingBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer side: decides when each message is due and claims a ring slot for it.
 *
 * <p>Open model: original i is due at {@code anchorTime + (i - anchorIndex) / rate}. A rate change
 * re-anchors at the next original: its due time becomes {@code min(due under the old rate, now +
 * 1/newRate)}, so the new rate holds from the next message on (no burst from a recomputed past,
 * no gap from a slow old rate), while a backlog the publisher has not caught up with is kept (it
 * shows as lateness, never as silence).
 *
 * <p>Duplicates: while a duplicate experiment with rate r is active, the k-th original since it
 * started is duplicated iff floor((k+1)·r) > floor(k·r): exactly floor(K·r) duplicates for K
 * originals, spread evenly. A duplicate is due {@code delay} after its original.
 */
public final class PacerLoop implements Runnable {
    private static final int DUP_QUEUE = 1 << 20;
    private static final int UNPACED_BATCH = 256;

    private final RingBuffer<SendEvent> ring;
    private final Controls controls;
    private final Pacer pacer;
    private final boolean unpaced;
    private final long durationNanos;
    private final AtomicLong scheduled;
    private volatile long startNanos;
    private volatile boolean finished;

    // pending duplicates: a FIFO (delays of the active experiment are constant; a change of
    // experiment may reorder slightly, which only makes a duplicate a little early)
    private final long[] dupSeq = new long[DUP_QUEUE];
    private final long[] dupDue = new long[DUP_QUEUE];
    private final long[] dupSentAt = new long[DUP_QUEUE];
    private final ActiveSet.Duplicates[] dupOf = new ActiveSet.Duplicates[DUP_QUEUE];
    private long dupHead;
    private long dupTail;

    public PacerLoop(RingBuffer<SendEvent> ring, Controls controls, Pacer pacer, boolean unpaced, long durationNanos,
                     AtomicLong scheduled) {
        this.ring = ring;
        this.controls = controls;
        this.pacer = pacer;
        this.unpaced = unpaced;
        this.durationNanos = durationNanos <= 0 ? Long.MAX_VALUE : durationNanos;
        this.scheduled = scheduled;
    }

    public long startNanos() {
        return startNanos;
    }

    /** True once every scheduled message (duplicates included) is in the ring. */
    public boolean finished() {
        return finished;
    }

    @Override
    public void run() {
        try {
            loop();
        } finally {
            finished = true;
        }
    }

    private void loop() {
        final long start = System.nanoTime();
        startNanos = start;
        final long end = durationNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + durationNanos;
        ActiveSet set = controls.current();
        double nanosPer = set.rate() > 0 ? 1e9 / set.rate() : Double.POSITIVE_INFINITY;
        long anchorTime = start;
        long anchorIndex = 0;
        long i = 0;
        ActiveSet.Duplicates dup = set.duplicate();
        long dupK = 0;
        boolean originalsDone = false;

        while (controls.running()) {
            ActiveSet now = controls.current();
            if (now != set) {
                double newPer = now.rate() > 0 ? 1e9 / now.rate() : Double.POSITIVE_INFINITY;
                if (!unpaced) {
                    long t = System.nanoTime();
                    long oldDue = Double.isInfinite(nanosPer) ? Long.MAX_VALUE : anchorTime + (long) ((i - anchorIndex) * nanosPer);
                    anchorTime = Double.isInfinite(newPer) ? t : Math.min(oldDue, t + (long) newPer);
                    anchorIndex = i;
                }
                nanosPer = newPer;
                if (!sameDuplicates(dup, now.duplicate())) {
                    dup = now.duplicate();
                    dupK = 0;
                }
                set = now;
            }

            long dueOrig;
            if (originalsDone) {
                dueOrig = Long.MAX_VALUE;
            } else if (unpaced) {
                dueOrig = System.nanoTime();
                if (dueOrig >= end) {
                    originalsDone = true;
                    dueOrig = Long.MAX_VALUE;
                }
            } else if (Double.isInfinite(nanosPer)) {
                dueOrig = Long.MAX_VALUE;
            } else {
                dueOrig = anchorTime + (long) ((i - anchorIndex) * nanosPer);
                if (dueOrig >= end) {
                    originalsDone = true;
                    dueOrig = Long.MAX_VALUE;
                }
            }
            long dueDup = dupHead < dupTail ? dupDue[(int) (dupHead & (DUP_QUEUE - 1))] : Long.MAX_VALUE;
            long due = Math.min(dueOrig, dueDup);
            if (due == Long.MAX_VALUE) {
                if (originalsDone && dupHead == dupTail) {
                    return;
                }
                LockSupport.parkNanos(1_000_000); // paused (rate 0): wait for a control change
                continue;
            }
            if (!unpaced && System.nanoTime() < due) {
                pacer.awaitUntil(due, controls, set);
                continue; // re-evaluate: either due now, or the controls changed
            }

            // emit everything due, in due order, a bounded batch at a time
            long t = unpaced ? dueOrig : System.nanoTime();
            int budget = unpaced ? UNPACED_BATCH : 1024;
            while (budget-- > 0) {
                dueDup = dupHead < dupTail ? dupDue[(int) (dupHead & (DUP_QUEUE - 1))] : Long.MAX_VALUE;
                boolean origReady = !originalsDone && dueOrig <= t;
                if (dueDup <= t && (!origReady || dueDup <= dueOrig)) {
                    int q = (int) (dupHead & (DUP_QUEUE - 1));
                    long s = ring.next();
                    try {
                        ring.get(s).set(dupSeq[q], dupDue[q], dupSentAt[q], true, set, dupOf[q]);
                    } finally {
                        ring.publish(s);
                    }
                    dupOf[q] = null;
                    dupHead++;
                } else if (origReady) {
                    long s = ring.next();
                    try {
                        ring.get(s).set(i, dueOrig, dueOrig, false, set, null);
                    } finally {
                        ring.publish(s);
                    }
                    scheduled.lazySet(i + 1);
                    if (dup != null) {
                        double r = dup.rate();
                        if (Math.floor((dupK + 1) * r) > Math.floor(dupK * r)) {
                            enqueueDuplicate(i, dueOrig + dup.delayNanos(), dueOrig, dup);
                        }
                        dupK++;
                    }
                    i++;
                    if (unpaced) {
                        // intended = when claimed: unpaced lateness only measures the hand-off
                        if (controls.current() != set) {
                            break;
                        }
                        if (budget == 0 || t >= end) {
                            break;
                        }
                        dueOrig = t;
                    } else {
                        dueOrig = anchorTime + (long) ((i - anchorIndex) * nanosPer);
                        if (dueOrig >= end) {
                            originalsDone = true;
                        }
                    }
                } else {
                    break;
                }
            }
        }
    }

    private void enqueueDuplicate(long seq, long due, long sentAt, ActiveSet.Duplicates of) {
        if (dupTail - dupHead >= DUP_QUEUE) {
            // queue full (rate × delay above 2^20): send the oldest one now, early rather than never
            int q = (int) (dupHead & (DUP_QUEUE - 1));
            dupDue[q] = Math.min(dupDue[q], System.nanoTime());
            return;
        }
        int q = (int) (dupTail & (DUP_QUEUE - 1));
        dupSeq[q] = seq;
        dupDue[q] = due;
        dupSentAt[q] = sentAt;
        dupOf[q] = of;
        dupTail++;
    }

    private static boolean sameDuplicates(ActiveSet.Duplicates a, ActiveSet.Duplicates b) {
        return a == b || (a != null && b != null && a.experimentId().equals(b.experimentId()) && a.rate() == b.rate());
    }
}
