package io.stampede.loadgen;

import java.util.LinkedHashMap;
import java.util.Map;
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

    /**
     * The one JSON form: {@code {"count", "p50", "p99", "p999", "max"}}, µs (the unit is in the key
     * holding it: {@code lateness_us}, {@code e2e_us}).
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("p50", p50Micros);
        m.put("p99", p99Micros);
        m.put("p999", p999Micros);
        m.put("max", maxMicros);
        return m;
    }
}
