package io.stampede.reports;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * One latency series read back from {@code <series>.hlog}: its intervals (each with absolute
 * start/end timestamps in epoch ms and its tag, null = untagged) and the merged histogram of the
 * untagged intervals and of each tag. Values in µs.
 */
public final class Series {
    private final String name;
    private final Long startTimeMs;
    private final List<Histogram> intervals;
    private final Histogram merged;
    private final Map<String, Histogram> mergedByTag;

    Series(String name, Long startTimeMs, List<Histogram> intervals, Histogram merged, Map<String, Histogram> mergedByTag) {
        this.name = name;
        this.startTimeMs = startTimeMs;
        this.intervals = Collections.unmodifiableList(intervals);
        this.merged = merged;
        this.mergedByTag = Collections.unmodifiableMap(mergedByTag);
    }

    public String name() {
        return name;
    }

    /** The log's StartTime (epoch ms), or null when it has none. */
    public Long startTimeMs() {
        return startTimeMs;
    }

    /** Every interval, in file order. */
    public List<Histogram> intervals() {
        return intervals;
    }

    /** The intervals with {@code tag} (null = untagged), in file order. */
    public List<Histogram> intervals(String tag) {
        return intervals.stream().filter(h -> java.util.Objects.equals(h.getTag(), tag)).toList();
    }

    /** All untagged intervals added together: the whole run. */
    public Histogram merged() {
        return merged;
    }

    /** All intervals tagged {@code tag} added together (an empty histogram for an unknown tag). */
    public Histogram merged(String tag) {
        if (tag == null) {
            return merged;
        }
        Histogram h = mergedByTag.get(tag);
        return h != null ? h : new Histogram(SeriesWriter.SIGNIFICANT_DIGITS);
    }

    public Set<String> tags() {
        return mergedByTag.keySet();
    }

    public LatencyStats stats(String tag) {
        return LatencyStats.of(name, tag, merged(tag));
    }
}
