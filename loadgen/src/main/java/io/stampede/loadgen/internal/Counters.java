package io.stampede.loadgen.internal;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What was sent on behalf of one scope (the whole run, or one experiment id). Written by the
 * publishing threads and the JetStream ack callbacks, read by the stats ticker.
 */
public final class Counters {
    /** Lateness is recorded in microseconds up to one hour, 3 significant digits. */
    public static final long HIGHEST_MICROS = 3_600_000_000L;

    public final String id;
    public final LongAdder sent = new LongAdder();
    public final LongAdder duplicates = new LongAdder();
    public final LongAdder buffered = new LongAdder();
    public final LongAdder failed = new LongAdder();
    public final LongAdder acked = new LongAdder();
    public final LongAdder ackDuplicates = new LongAdder();
    public final Recorder lateness = new Recorder(HIGHEST_MICROS, 3);

    public Counters(String id) {
        this.id = id;
    }

    public void recordLatenessNanos(long nanos) {
        long micros = nanos <= 0 ? 0 : nanos / 1_000;
        lateness.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    // written by the stats ticker only, read by stats()
    public volatile double rate;
    public volatile io.stampede.loadgen.LatencySummary latenessSummary = io.stampede.loadgen.LatencySummary.EMPTY;
    public org.HdrHistogram.Histogram interval;
    public final org.HdrHistogram.Histogram cumulative = new org.HdrHistogram.Histogram(HIGHEST_MICROS, 3);
    public long lastAccepted;
    public long lastTickNanos;

    /** Messages jnats accepted (originals and duplicates; buffered ones included). */
    public long accepted() {
        return sent.sum() + duplicates.sum();
    }
}
