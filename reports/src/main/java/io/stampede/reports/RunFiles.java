package io.stampede.reports;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The files of a run directory and their schemas; {@code reports/README.md} documents every key.
 *
 * <pre>
 * run.json        RunInfo, replaced atomically         {"format","id","type","plan_id","producer","created_at_ms","started_at_ms","ended_at_ms","params"}
 * timeline.jsonl  TimelineEvent per line, append-only  {"ts_ms","event","experiment_id","data"}
 * counters.jsonl  CounterRecord per line, append-only  {"ts_ms","source","experiment_id","values":{name:number}}
 * accepted.jsonl  AcceptedIds per line, append-only    {"ts_ms","id_prefix","seqs":[number]}  (load test: requests answered 202)
 * SERIES.hlog     one latency series per file: HdrHistogram interval log, integer µs, untagged = whole run, Tag = experiment id
 * summary.json    Summary, written atomically           {"run_id","completed","ended_at_ms","counters":[CounterRecord],"latency":[LatencyStats],"values"}
 * verdict.json    Verdict, written atomically           {"status","final","id","type","evaluated_at_ms","criteria","integrity","recovery","steps"}
 * </pre>
 * A plan's run directory is {@code var/runs/<plan_id>/} ({@link #planDir}).
 */
public final class RunFiles {
    /** run.json's {@code format}: the version of this whole layout. */
    public static final String FORMAT = "stampede-run/1";
    public static final String RUN_JSON = "run.json";
    public static final String TIMELINE_JSONL = "timeline.jsonl";
    public static final String COUNTERS_JSONL = "counters.jsonl";
    /** The sequence numbers of a load test's requests the target accepted (202), so outcomes can be matched to them. */
    public static final String ACCEPTED_JSONL = "accepted.jsonl";
    public static final String SUMMARY_JSON = "summary.json";
    public static final String VERDICT_JSON = "verdict.json";
    public static final String HLOG_SUFFIX = ".hlog";
    /** Unit of every histogram value in a .hlog file. */
    public static final String HISTOGRAM_UNIT = "us";
    /** Default root of run directories, relative to the working directory. */
    public static final Path RUNS_ROOT = Path.of("var", "runs");

    /** Well-known series names (others are allowed). */
    public static final String SERIES_LATENESS = "lateness";
    public static final String SERIES_E2E = "e2e";
    public static final String SERIES_HTTP = "http";

    /** A series name: lower-case letters, digits, '_' and '-', starting with a letter or digit (it is a file name). */
    public static final Pattern SERIES_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private RunFiles() {}

    /** {@code <series>.hlog}; throws for a name that is not {@link #SERIES_NAME}. */
    public static String hlog(String series) {
        if (series == null || !SERIES_NAME.matcher(series).matches()) {
            throw new IllegalArgumentException("series name must match " + SERIES_NAME + ": " + series);
        }
        return series + HLOG_SUFFIX;
    }

    /** The series name of a {@code .hlog} file name, or null if it is not one. */
    public static String seriesOf(String fileName) {
        if (!fileName.endsWith(HLOG_SUFFIX)) {
            return null;
        }
        String s = fileName.substring(0, fileName.length() - HLOG_SUFFIX.length());
        return SERIES_NAME.matcher(s).matches() ? s : null;
    }

    /** {@code runsRoot/<planId>}: a plan's run directory. */
    public static Path planDir(Path runsRoot, String planId) {
        return runsRoot.resolve(planId);
    }
}
