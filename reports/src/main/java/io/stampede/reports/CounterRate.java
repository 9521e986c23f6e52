package io.stampede.reports;

import java.util.ArrayList;
import java.util.List;

/**
 * Prometheus {@code increase()} / {@code rate()} semantics over counter samples.
 *
 * <ul>
 *   <li><b>Gaps</b>: a missing sample is a gap, not a zero: the samples on either side of it
 *       still give the increase across it (a source that wrote nothing for 10 s did not count 0).</li>
 *   <li><b>Resets</b>: a sample lower than the previous one means the counter restarted from 0 (a
 *       process restart): the increase across it is the new value, as in Prometheus.</li>
 *   <li><b>Extrapolation</b> ({@link #increase}, {@link #rate}): as Prometheus' {@code
 *       extrapolatedRate}: the sampled increase is extrapolated towards the range's ends by up to
 *       half a sample interval (the whole gap when it is shorter than 1.1 intervals), and never
 *       below a counter value of zero at the start.</li>
 *   <li>Fewer than two samples in the range: no result ({@code NaN}), never 0.</li>
 * </ul>
 * {@link #rawIncrease} is the exact sum of deltas with resets and no extrapolation (for counts that
 * must be whole, like errors between two samples).
 */
public final class CounterRate {
    /** One counter sample; {@code NaN} values are ignored (a gap). */
    public record Sample(long tsMs, double value) {}

    /** The rate between two consecutive samples: {@code perSecond} over ({@code fromMs}, {@code toMs}]. */
    public record Interval(long fromMs, long toMs, double increase, double perSecond) {}

    private CounterRate() {}

    /** Extrapolated increase over [startMs, endMs] from the samples inside it; NaN with fewer than two. */
    public static double increase(List<Sample> samples, long startMs, long endMs) {
        return extrapolated(samples, startMs, endMs, false);
    }

    /** Extrapolated per-second rate over [startMs, endMs]; NaN with fewer than two samples inside it. */
    public static double rate(List<Sample> samples, long startMs, long endMs) {
        return extrapolated(samples, startMs, endMs, true);
    }

    /** Exact increase from the first to the last sample in [startMs, endMs], resets counted; NaN with fewer than two. */
    public static double rawIncrease(List<Sample> samples, long startMs, long endMs) {
        List<Sample> in = inRange(samples, startMs, endMs);
        if (in.size() < 2) {
            return Double.NaN;
        }
        return increaseOf(in);
    }

    /** Per-interval increases and rates between consecutive samples (gaps give one longer interval). */
    public static List<Interval> intervals(List<Sample> samples) {
        List<Sample> in = inRange(samples, Long.MIN_VALUE, Long.MAX_VALUE);
        List<Interval> out = new ArrayList<>();
        for (int i = 1; i < in.size(); i++) {
            Sample a = in.get(i - 1);
            Sample b = in.get(i);
            double inc = b.value() >= a.value() ? b.value() - a.value() : b.value();
            double dt = (b.tsMs() - a.tsMs()) / 1000.0;
            out.add(new Interval(a.tsMs(), b.tsMs(), inc, dt > 0 ? inc / dt : Double.NaN));
        }
        return out;
    }

    /**
     * The samples of one counter from counters.jsonl records: {@code source} and {@code experimentId}
     * (null = records without one) must match; records without {@code name} are gaps.
     */
    public static List<Sample> series(List<CounterRecord> records, String source, String experimentId, String name) {
        List<Sample> out = new ArrayList<>();
        for (CounterRecord r : records) {
            if (r.source().equals(source) && java.util.Objects.equals(r.experimentId(), experimentId)) {
                Number v = r.values().get(name);
                if (v != null) {
                    out.add(new Sample(r.tsMs(), v.doubleValue()));
                }
            }
        }
        return out;
    }

    private static List<Sample> inRange(List<Sample> samples, long startMs, long endMs) {
        List<Sample> in = new ArrayList<>(samples.size());
        long last = Long.MIN_VALUE;
        for (Sample s : samples) {
            if (s.tsMs() < startMs || s.tsMs() > endMs || Double.isNaN(s.value())) {
                continue;
            }
            if (s.tsMs() <= last && !in.isEmpty()) {
                throw new IllegalArgumentException("samples must be in time order, " + s.tsMs() + " after " + last);
            }
            in.add(s);
            last = s.tsMs();
        }
        return in;
    }

    private static double increaseOf(List<Sample> in) {
        double result = in.get(in.size() - 1).value() - in.get(0).value();
        for (int i = 1; i < in.size(); i++) {
            double prev = in.get(i - 1).value();
            if (in.get(i).value() < prev) {
                result += prev; // reset: the counter went back to 0 and counted up to the new value
            }
        }
        return result;
    }

    /** Prometheus promql/functions.go extrapolatedRate, for counters. */
    private static double extrapolated(List<Sample> samples, long startMs, long endMs, boolean isRate) {
        List<Sample> in = inRange(samples, startMs, endMs);
        if (in.size() < 2) {
            return Double.NaN;
        }
        double result = increaseOf(in);
        Sample first = in.get(0);
        Sample last = in.get(in.size() - 1);
        double durationToStart = (first.tsMs() - startMs) / 1000.0;
        double durationToEnd = (endMs - last.tsMs()) / 1000.0;
        double sampledInterval = (last.tsMs() - first.tsMs()) / 1000.0;
        double averageBetween = sampledInterval / (in.size() - 1);
        if (result > 0 && first.value() >= 0) {
            double durationToZero = sampledInterval * (first.value() / result);
            if (durationToZero < durationToStart) {
                durationToStart = durationToZero;
            }
        }
        double threshold = averageBetween * 1.1;
        double extrapolateTo = sampledInterval;
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
        result = result * (extrapolateTo / sampledInterval);
        if (isRate) {
            result = result / ((endMs - startMs) / 1000.0);
        }
        return result;
    }
}
