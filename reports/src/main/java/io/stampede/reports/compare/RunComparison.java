package io.stampede.reports.compare;

import io.stampede.reports.RunInfo;
import io.stampede.reports.RunReader;
import io.stampede.reports.Series;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/**
 * Compares two runs series by series: p50, p99, p99.9 and max of each run's merged interval
 * histograms, with the change in %. A change is a <b>regression</b> only when it is worse by more
 * than the threshold <b>and</b> significant: a one-sided {@link MannWhitney} test over the
 * per-interval values of the same metric (each non-empty untagged interval gives one value) has p
 * below alpha. An improvement is reported the same way; neither changes anything else.
 */
public final class RunComparison {
    public static final double DEFAULT_THRESHOLD_PCT = 10;
    public static final double DEFAULT_ALPHA = 0.05;

    /** The metrics compared, in order. */
    public enum Metric {
        P50("p50", h -> h.getValueAtPercentile(50)),
        P99("p99", h -> h.getValueAtPercentile(99)),
        P999("p99.9", h -> h.getValueAtPercentile(99.9)),
        MAX("max", Histogram::getMaxValue);

        final String label;
        final ToLongFunction<Histogram> of;

        Metric(String label, ToLongFunction<Histogram> of) {
            this.label = label;
            this.of = of;
        }

        public String label() {
            return label;
        }
    }

    public enum Change { REGRESSION, IMPROVEMENT, NO_CHANGE, NOT_ENOUGH_DATA }

    /**
     * One metric of one series.
     *
     * @param baseUs      whole-run value of the base run, µs
     * @param candidateUs whole-run value of the candidate
     * @param deltaPct    (candidate − base) / base × 100 (infinite when base is 0 and candidate is not)
     * @param pWorse      one-sided p that the candidate's per-interval values are greater; NaN without data
     * @param pBetter     one-sided p that they are smaller
     * @param exact       the p-values are exact (small samples)
     */
    public record Row(String series, Metric metric, long baseUs, long candidateUs, double deltaPct, double pWorse,
                      double pBetter, boolean exact, int baseIntervals, int candidateIntervals, Change change) {}

    /**
     * @param baseOnly      series only the base run has
     * @param candidateOnly series only the candidate has
     */
    public record Result(String baseId, String candidateId, double thresholdPct, double alpha, List<Row> rows,
                         List<String> baseOnly, List<String> candidateOnly, Map<String, Histogram[]> merged) {
        public boolean regression() {
            return rows.stream().anyMatch(r -> r.change() == Change.REGRESSION);
        }

        public boolean shared() {
            return !merged.isEmpty();
        }
    }

    private RunComparison() {}

    public static Result compare(Path base, Path candidate, double thresholdPct, double alpha) {
        RunReader b = RunReader.open(base);
        RunReader c = RunReader.open(candidate);
        Map<String, Series> bs = b.allSeries();
        Map<String, Series> cs = c.allSeries();
        TreeSet<String> shared = new TreeSet<>(bs.keySet());
        shared.retainAll(cs.keySet());
        List<Row> rows = new ArrayList<>();
        Map<String, Histogram[]> merged = new java.util.LinkedHashMap<>();
        for (String name : shared) {
            Series x = bs.get(name);
            Series y = cs.get(name);
            merged.put(name, new Histogram[] {x.merged(), y.merged()});
            List<Histogram> xi = nonEmpty(x);
            List<Histogram> yi = nonEmpty(y);
            for (Metric m : Metric.values()) {
                rows.add(row(name, m, x.merged(), y.merged(), xi, yi, thresholdPct, alpha));
            }
        }
        List<String> baseOnly = bs.keySet().stream().filter(n -> !cs.containsKey(n)).toList();
        List<String> candOnly = cs.keySet().stream().filter(n -> !bs.containsKey(n)).toList();
        return new Result(id(b, base), id(c, candidate), thresholdPct, alpha, rows, baseOnly, candOnly, merged);
    }

    static Row row(String name, Metric m, Histogram bm, Histogram cm, List<Histogram> bi, List<Histogram> ci,
                   double thresholdPct, double alpha) {
        if (bm.getTotalCount() == 0 || cm.getTotalCount() == 0 || bi.size() < 2 || ci.size() < 2) {
            long bv = bm.getTotalCount() == 0 ? 0 : m.of.applyAsLong(bm);
            long cv = cm.getTotalCount() == 0 ? 0 : m.of.applyAsLong(cm);
            return new Row(name, m, bv, cv, delta(bv, cv), Double.NaN, Double.NaN, false, bi.size(), ci.size(),
                    Change.NOT_ENOUGH_DATA);
        }
        long bv = m.of.applyAsLong(bm);
        long cv = m.of.applyAsLong(cm);
        double[] xs = bi.stream().mapToDouble(h -> m.of.applyAsLong(h)).toArray();
        double[] ys = ci.stream().mapToDouble(h -> m.of.applyAsLong(h)).toArray();
        MannWhitney.Result worse = MannWhitney.greater(xs, ys);
        MannWhitney.Result better = MannWhitney.greater(ys, xs);
        double d = delta(bv, cv);
        Change change = d > thresholdPct && worse.pValue() < alpha ? Change.REGRESSION
                : d < -thresholdPct && better.pValue() < alpha ? Change.IMPROVEMENT : Change.NO_CHANGE;
        return new Row(name, m, bv, cv, d, worse.pValue(), better.pValue(), worse.exact(), bi.size(), ci.size(), change);
    }

    static double delta(long base, long cand) {
        if (base == 0) {
            return cand == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return (cand - base) * 100.0 / base;
    }

    private static List<Histogram> nonEmpty(Series s) {
        return s.intervals(null).stream().filter(h -> h.getTotalCount() > 0).toList();
    }

    private static String id(RunReader r, Path dir) {
        try {
            return r.run().map(RunInfo::id).orElse(String.valueOf(dir.getFileName()));
        } catch (IllegalArgumentException e) {
            return String.valueOf(dir.getFileName());
        }
    }
}
