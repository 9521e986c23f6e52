package io.stampede.loadgen;

import org.HdrHistogram.Histogram;

/** Percentiles of one latency series, in microseconds. */
public record LatencySummary(long count, long p50Micros, long p99Micros, long p999Micros, long maxMicros) {
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0);

    public static LatencySummary of(Histogram h) {
        if (h == null || h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue());
    }
}
