package io.stampede.reports;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency series (or one tag of it), in µs as recorded; an element of
 * summary.json's {@code latency}. Computed from the HdrHistogram itself (no estimate on top):
 * values are exact to the histogram's 3 significant digits.
 *
 * @param series the series (file {@code <series>.hlog})
 * @param tag    the experiment id of tagged intervals, null for the whole series
 */
public record LatencyStats(String series, String tag, long count, long minUs, double meanUs, long p50Us, long p90Us,
                           long p95Us, long p99Us, long p999Us, long maxUs) {

    public static LatencyStats of(String series, String tag, Histogram h) {
        if (h.getTotalCount() == 0) {
            return new LatencyStats(series, tag, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencyStats(series, tag, h.getTotalCount(), h.getMinValue(), h.getMean(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(95),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }
}
