package io.stampede.loadgen.internal;

import com.lmax.disruptor.RingBuffer;
import io.stampede.loadgen.LoadGenConfig;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer side: decides when each message is due and puts it in the ring up to
 * {@link #LOOKAHEAD_NANOS} ahead of time; the publisher waits for each event's due time (see
 * {@link Publisher}). So only one thread waits precisely per message (the publisher), and this
 * one wakes about every millisecond to top the ring up: on two cores that leaves a core to the
 * jnats writer instead of a second spinning thread.
 *
 * <p>Open model: original i is due at {@code anchorTime + (i - anchorIndex) / rate}. A rate change
 * re-anchors at the next original not yet in the ring: its due time becomes {@code min(due under
 * the old rate, max(now, last due in the ring) + 1/newRate)}, so the new rate holds from there on
 * (within the 2 ms look-ahead: no burst from a recomputed past, no gap from a slow old rate),
 * while a backlog the publisher has not caught up with is kept (it shows as lateness, never as
 * silence).
 *
 * <p>All schedule maths saturates (see {@link Saturating}): a due time never wraps, a huge
 * interval means "later", not "in the past". A rate below {@link LoadGenConfig#MIN_RATE} (or
 * NaN) is a pause — no original is due until the rate changes — and a rate above
 * {@link LoadGenConfig#MAX_RATE} is clamped to it, so no NaN or infinity reaches the schedule.
 *
 * <p>Duplicates: while a duplicate experiment with rate r is active, the k-th original since it
 * started is duplicated iff floor((k+1)·r) > floor(k·r): exactly floor(K·r) duplicates for K
 * originals, spread evenly. A duplicate is due {@code delay} after its original.
 */
public final class PacerLoop implements Runnable {
    private static final int DUP_QUEUE_MAX = 1 << 20;
    private static final int UNPACED_BATCH = 4096;
    /** Unpaced, the ring is always nearly full: sleep until this much is free instead of spinning per slot. */
    private static final long UNPACED_PARK_NANOS = 200_000;
    /** How far ahead of their due time events enter the ring; bounds how late a rate change applies. */
    public static final long LOOKAHEAD_NANOS = 2_000_000;

    private final Slots ring;
    private final Controls controls;
    private final Pacer pacer;
    private final boolean unpaced;
    private final long durationNanos;
    private final AtomicLong scheduled;
    private final PayloadFiller filler;
    private final long seqStride;
    private final long seqOffset;
    private final long startAtNanos;
    private final long unpacedRefill;
    private volatile long startNanos;
    private volatile boolean finished;

    // pending duplicates: a FIFO (delays of the active experiment are constant; a change of
    // experiment may reorder slightly, which only makes a duplicate a little early)
    // grown by doubling up to DUP_QUEUE_MAX: allocated only when duplicates are delayed that much
    private long[] dupSeq = new long[1024];
    private long[] dupDue = new long[1024];
    private long[] dupSentAt = new long[1024];
    private ActiveSet.Duplicates[] dupOf = new ActiveSet.Duplicates[1024];
    private int dupMask = 1023;
    private long dupHead;
    private long dupTail;

    public PacerLoop(RingBuffer<SendEvent> ring, Controls controls, Pacer pacer, boolean unpaced, long durationNanos,
                     AtomicLong scheduled, PayloadFiller filler) {
        this(ring, controls, pacer, unpaced, durationNanos, scheduled, filler, 1, 0, 0);
    }

    /**
     * A share of a schedule (see {@link io.stampede.loadgen.ScheduleShare}): the j-th original has
     * sequence number {@code j·seqStride + seqOffset} and is due at {@code start + (j + seqOffset /
     * seqStride) / rate}; {@code startAtNanos} (a {@link System#nanoTime()} reading, 0 = now) is the
     * common start: the schedule and the duration count from there.
     */
    public PacerLoop(RingBuffer<SendEvent> ring, Controls controls, Pacer pacer, boolean unpaced, long durationNanos,
                     AtomicLong scheduled, PayloadFiller filler, long seqStride, long seqOffset, long startAtNanos) {
        this(Slots.of(ring), controls, pacer, unpaced, durationNanos, scheduled, filler, seqStride, seqOffset, startAtNanos);
    }

    /** Where events go: the Disruptor ring, or straight to one publisher on this thread ({@link Slots#direct}). */
    public PacerLoop(Slots ring, Controls controls, Pacer pacer, boolean unpaced, long durationNanos,
                     AtomicLong scheduled, PayloadFiller filler, long seqStride, long seqOffset, long startAtNanos) {
        this.seqStride = seqStride;
        this.seqOffset = seqOffset;
        this.startAtNanos = startAtNanos;
        this.filler = filler;
        this.ring = ring;
        this.controls = controls;
        this.pacer = pacer;
        this.unpaced = unpaced;
        this.durationNanos = durationNanos <= 0 ? Long.MAX_VALUE : durationNanos;
        this.scheduled = scheduled;
        this.unpacedRefill = Math.max(1, Math.min(UNPACED_BATCH, ring.bufferSize() / 4));
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
        long now0 = System.nanoTime();
        final long start = startAtNanos != 0 && startAtNanos - now0 > 0 ? startAtNanos : now0;
        startNanos = start;
        final long end = Saturating.add(start, durationNanos); // Long.MAX_VALUE: no end
        ActiveSet set = controls.current();
        double nanosPer = intervalNanos(set.rate());
        // a share's phase: this share's originals sit between the other shares' (index / count of an interval)
        long anchorTime = seqStride == 1 || Double.isInfinite(nanosPer) ? start : Saturating.due(start, 1, nanosPer * seqOffset / seqStride);
        if (unpaced) {
            while (System.nanoTime() - start < 0 && controls.running()) {
                LockSupport.parkNanos(Math.min(1_000_000, start - System.nanoTime()));
            }
        }
        long anchorIndex = 0;
        long i = 0;
        ActiveSet.Duplicates dup = set.duplicate();
        long dupK = 0;
        boolean originalsDone = false;
        long lastDue = start;

        while (controls.running()) {
            ActiveSet now = controls.current();
            if (now != set) {
                double newPer = intervalNanos(now.rate());
                // a change that keeps the rate (a tag, a duplicate experiment) keeps the schedule as it is
                if (!unpaced && Double.compare(newPer, nanosPer) != 0) {
                    anchorTime = reAnchor(anchorTime, i - anchorIndex, nanosPer, newPer, System.nanoTime(), lastDue);
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
                dueOrig = Saturating.due(anchorTime, i - anchorIndex, nanosPer);
                if (end != Long.MAX_VALUE && dueOrig >= end) {
                    originalsDone = true;
                    dueOrig = Long.MAX_VALUE;
                }
            }
            long dueDup = dupHead < dupTail ? dupDue[(int) (dupHead & dupMask)] : Long.MAX_VALUE;
            long due = Math.min(dueOrig, dueDup);
            if (due == Long.MAX_VALUE) {
                if (originalsDone && dupHead == dupTail) {
                    return;
                }
                LockSupport.parkNanos(1_000_000); // paused (rate 0): wait for a control change
                continue;
            }
            if (!unpaced && System.nanoTime() + LOOKAHEAD_NANOS < due) {
                // the ring holds at least half the look-ahead when this returns
                pacer.awaitUntil(due - LOOKAHEAD_NANOS / 2, controls, set);
                continue; // re-evaluate: either time to fill, or the controls changed
            }

            int budget = 4096;
            if (unpaced) {
                // Unpaced the publisher drains as fast as jnats takes messages and the ring stays full:
                // claiming slot by slot would park and wake for each freed slot (12 % of a core at
                // 1 KiB, a third busy thread on two cores). Refill in batches of a quarter ring.
                long free = ring.remainingCapacity();
                if (free < unpacedRefill) {
                    LockSupport.parkNanos(UNPACED_PARK_NANOS);
                    continue;
                }
                budget = (int) Math.min(free, UNPACED_BATCH);
            }
            // emit everything due within the look-ahead, in due order, a bounded batch at a time
            long t = unpaced ? dueOrig : System.nanoTime() + LOOKAHEAD_NANOS;
            while (budget-- > 0) {
                dueDup = dupHead < dupTail ? dupDue[(int) (dupHead & dupMask)] : Long.MAX_VALUE;
                boolean origReady = !originalsDone && dueOrig <= t;
                if (dueDup <= t && (!origReady || dueDup <= dueOrig)) {
                    emitHeadDuplicate(set);
                    lastDue = Math.max(lastDue, dueDup);
                } else if (origReady) {
                    final long seq = i * seqStride + seqOffset;
                    long s = ring.next();
                    try {
                        SendEvent ev = ring.get(s);
                        ev.set(seq, dueOrig, dueOrig, false, set, null);
                        if (filler != null) {
                            filler.fill(ev, s, seq, dueOrig);
                        }
                    } finally {
                        ring.publish(s);
                    }
                    scheduled.lazySet(i + 1);
                    lastDue = Math.max(lastDue, dueOrig);
                    if (dup != null) {
                        double r = dup.rate();
                        if (Math.floor((dupK + 1) * r) > Math.floor(dupK * r)) {
                            enqueueDuplicate(seq, Saturating.add(dueOrig, dup.delayNanos()), dueOrig, dup, set);
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
                        dueOrig = Saturating.due(anchorTime, i - anchorIndex, nanosPer);
                        if (end != Long.MAX_VALUE && dueOrig >= end) {
                            originalsDone = true;
                        }
                    }
                } else {
                    break;
                }
            }
        }
    }

    /**
     * Nanoseconds between originals at {@code rate} msg/s: {@code +infinity} (paused) below
     * {@link LoadGenConfig#MIN_RATE} or for NaN, at least {@code 1e9 / MAX_RATE} = 1 ns.
     */
    public static double intervalNanos(double rate) {
        if (LoadGenConfig.isBelowFloor(rate)) {
            return Double.POSITIVE_INFINITY;
        }
        return 1e9 / Math.min(rate, LoadGenConfig.MAX_RATE);
    }

    /**
     * The anchor time of a new rate, re-anchored at the first original not yet in the ring (the
     * {@code k}-th since the old anchor): {@code min(due under the old rate, max(now, lastDue) +
     * newPer)}; when the new rate is a pause, {@code now} (no original is due until it changes
     * again). Saturating: an old interval too long for a long (or infinite: paused) gives "never"
     * as the old due time, so the new rate wins; it never wraps into the past.
     */
    public static long reAnchor(long anchorTime, long k, double oldPer, double newPer, long now, long lastDue) {
        if (!(newPer < Double.POSITIVE_INFINITY)) {
            return now;
        }
        long oldDue = Saturating.due(anchorTime, k, oldPer);
        return Math.min(oldDue, Saturating.add(Math.max(now, lastDue), Saturating.nanos(newPer)));
    }

    private void enqueueDuplicate(long seq, long due, long sentAt, ActiveSet.Duplicates of, ActiveSet set) {
        if (dupTail - dupHead > dupMask && dupMask + 1 < DUP_QUEUE_MAX) {
            growDuplicateQueue();
        }
        if (dupTail - dupHead > dupMask) {
            // full at its maximum (rate × delay above 2^20): send the oldest one now, early rather than never
            emitHeadDuplicate(set);
        }
        int q = (int) (dupTail & dupMask);
        dupSeq[q] = seq;
        dupDue[q] = due;
        dupSentAt[q] = sentAt;
        dupOf[q] = of;
        dupTail++;
    }

    private void emitHeadDuplicate(ActiveSet set) {
        int q = (int) (dupHead & dupMask);
        long s = ring.next();
        try {
            SendEvent ev = ring.get(s);
            ev.set(dupSeq[q], dupDue[q], dupSentAt[q], true, set, dupOf[q]);
            if (filler != null) {
                filler.fill(ev, s, dupSeq[q], dupSentAt[q]);
            }
        } finally {
            ring.publish(s);
        }
        dupOf[q] = null;
        dupHead++;
    }

    private void growDuplicateQueue() {
        int n = (dupMask + 1) * 2;
        long[] seq = new long[n];
        long[] due = new long[n];
        long[] sentAt = new long[n];
        ActiveSet.Duplicates[] of = new ActiveSet.Duplicates[n];
        for (long k = dupHead; k < dupTail; k++) {
            int from = (int) (k & dupMask);
            int to = (int) (k & (n - 1));
            seq[to] = dupSeq[from];
            due[to] = dupDue[from];
            sentAt[to] = dupSentAt[from];
            of[to] = dupOf[from];
        }
        dupSeq = seq;
        dupDue = due;
        dupSentAt = sentAt;
        dupOf = of;
        dupMask = n - 1;
    }

    /**
     * The slots events are written to. {@link #of} is the Disruptor ring (the publishers run on
     * their own threads); {@link #direct} hands each event to one publisher on the calling thread
     * as soon as it is published: unpaced with one connection there is no schedule to wait for,
     * so the hand-over to another thread is pure cost (a third busy thread on two cores).
     */
    public interface Slots {
        long next();

        SendEvent get(long sequence);

        void publish(long sequence);

        long remainingCapacity();

        int bufferSize();

        static Slots of(RingBuffer<SendEvent> ring) {
            return new Slots() {
                @Override
                public long next() {
                    return ring.next();
                }

                @Override
                public SendEvent get(long sequence) {
                    return ring.get(sequence);
                }

                @Override
                public void publish(long sequence) {
                    ring.publish(sequence);
                }

                @Override
                public long remainingCapacity() {
                    return ring.remainingCapacity();
                }

                @Override
                public int bufferSize() {
                    return ring.getBufferSize();
                }
            };
        }

        /** One reused event, published by calling {@code publisher} right away (batch size: {@code batch}). */
        static Slots direct(Publisher publisher, int batch) {
            return new Slots() {
                private final SendEvent ev = new SendEvent();
                private long next;

                @Override
                public long next() {
                    return next++;
                }

                @Override
                public SendEvent get(long sequence) {
                    return ev;
                }

                @Override
                public void publish(long sequence) {
                    publisher.onEvent(ev, sequence, true);
                }

                @Override
                public long remainingCapacity() {
                    return Long.MAX_VALUE;
                }

                @Override
                public int bufferSize() {
                    return batch;
                }
            };
        }
    }

    private static boolean sameDuplicates(ActiveSet.Duplicates a, ActiveSet.Duplicates b) {
        return a == b || (a != null && b != null && a.experimentId().equals(b.experimentId()) && a.rate() == b.rate());
    }
}
