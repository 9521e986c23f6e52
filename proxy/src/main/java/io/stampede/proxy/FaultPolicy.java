package io.stampede.proxy;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The sum of the active faults for one direction: each fault adds its own delay, drawn per chunk
 * in delay ± jitter (uniform); the lowest bandwidth limit paces the chunks after that.
 */
final class FaultPolicy implements ChunkPolicy {
    private final long[] delayNanos;
    private final long[] jitterNanos;
    private final long nanosPerByte8; // nanoseconds per 8 bits × 1000, 0 = unlimited

    FaultPolicy(long[] delayNanos, long[] jitterNanos, long bandwidthKbps) {
        this.delayNanos = delayNanos;
        this.jitterNanos = jitterNanos;
        // kbps = 1000 bits/s: one byte takes 8e6 / kbps ns
        this.nanosPerByte8 = bandwidthKbps > 0 ? Math.max(1, 8_000_000L / bandwidthKbps) : 0;
    }

    @Override
    public long releaseAt(long arrivalNanos, int bytes, long previousReleaseNanos) {
        long t = arrivalNanos;
        for (int i = 0; i < delayNanos.length; i++) {
            t += delayNanos[i];
            long j = jitterNanos[i];
            if (j > 0) {
                t += (long) ((ThreadLocalRandom.current().nextDouble() * 2 - 1) * j);
            }
        }
        t = Math.max(t, arrivalNanos);
        if (nanosPerByte8 > 0) {
            // the link sends one chunk after the other: this one leaves when its last byte would
            t = Math.max(t, previousReleaseNanos) + bytes * nanosPerByte8;
        }
        return t;
    }
}
