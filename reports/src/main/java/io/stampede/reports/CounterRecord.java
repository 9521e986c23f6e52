package io.stampede.reports;

import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code counters.jsonl} (and an element of summary.json's {@code counters}): the values
 * one source had at one time.
 *
 * <p>Naming rule for {@code values}: a name ending in a unit suffix ({@code _per_s}, {@code _us},
 * {@code _ms}, {@code _s}, {@code _pct}, {@code _bytes}) or in {@code _now} (a level such as
 * {@code overdue_now}) is a gauge (its value at {@code ts_ms});
 * every other name is a counter, cumulative since the source started (a decrease is a restart of the
 * source: see {@link CounterRate}).
 *
 * @param tsMs         epoch ms
 * @param source       who counted: {@code loadgen}, {@code verifier}, {@code gatling}, {@code sut}, ...
 * @param experimentId the experiment these counts are for, or null for the whole source
 * @param values       name to number
 */
public record CounterRecord(long tsMs, String source, String experimentId, Map<String, Number> values) {
    private static final String[] GAUGE_SUFFIXES = {"_per_s", "_us", "_ms", "_s", "_pct", "_bytes", "_now"};

    public CounterRecord {
        Objects.requireNonNull(source, "source");
        values = Codec.normalizeNumbers(values);
    }

    /** True for a gauge name (unit suffix), false for a cumulative counter. */
    public static boolean isGauge(String name) {
        for (String s : GAUGE_SUFFIXES) {
            if (name.endsWith(s)) {
                return true;
            }
        }
        return false;
    }
}
