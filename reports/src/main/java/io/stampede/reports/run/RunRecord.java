package io.stampede.reports.run;

import io.stampede.reports.CounterRecord;
import io.stampede.reports.Problem;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunReader;
import io.stampede.reports.RunWriter;
import io.stampede.reports.Series;
import io.stampede.reports.SeriesWriter;
import io.stampede.reports.Verdict;
import io.stampede.reports.html.HtmlReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Finishes a run directory once its verdict is final, for an experiment or a plan alike:
 * {@link #finish} writes {@code run.json} (with the slice of the baseline run it answers for),
 * {@code verdict.json} and {@code report.html}, so its report, gate and compare work on that
 * directory alone.
 *
 * <pre>
 * List&lt;Problem&gt; p = RunRecord.finish(dir, run, verdict, new RunRecord.Slice(baselineDir, fromMs, toMs, Set.of("sut")));
 * </pre>
 */
public final class RunRecord {
    /** Context before the window in the charts. */
    public static final long BEFORE_MS = 10_000;

    private RunRecord() {}

    /**
     * The part of a baseline run a directory answers for: its counters and latency intervals from
     * {@code fromMs - BEFORE_MS} to {@code toMs}, whole-run ones and those tagged with the run's id.
     *
     * @param baselineDir the baseline run's directory, or null: nothing to slice
     * @param ownSources  counter sources the directory samples itself (not copied from the baseline)
     */
    public record Slice(Path baselineDir, long fromMs, long toMs, Set<String> ownSources) {
        public Slice {
            ownSources = Set.copyOf(ownSources);
        }
    }

    /**
     * Writes {@code run.json} with the baseline's slice (once: a directory with a run.json keeps
     * it), then {@code verdict.json} and {@code report.html}. Each step is attempted whatever the
     * previous one did; returns what failed (empty when all was written).
     */
    public static List<Problem> finish(Path dir, RunInfo run, Verdict verdict, Slice slice) {
        List<Problem> problems = new ArrayList<>();
        try {
            complete(dir, run, slice);
        } catch (RuntimeException failure) {
            problems.add(new Problem(RunFiles.RUN_JSON, failure.toString()));
        }
        try (RunWriter w = RunWriter.open(dir)) {
            w.writeVerdict(verdict);
        } catch (RuntimeException failure) {
            problems.add(new Problem(RunFiles.VERDICT_JSON, failure.toString()));
        }
        try {
            HtmlReport.write(dir, dir.resolve(HtmlReport.FILE_NAME));
        } catch (RuntimeException failure) {
            problems.add(new Problem(HtmlReport.FILE_NAME, failure.toString()));
        }
        return problems;
    }

    /** Whether {@link #finish} wrote the directory's verdict (it is written once final). */
    public static boolean finished(Path dir) {
        return Files.isRegularFile(dir.resolve(RunFiles.VERDICT_JSON));
    }

    /** run.json and the baseline's slice, unless the directory has its run.json already. */
    static void complete(Path dir, RunInfo run, Slice slice) {
        if (Files.exists(dir.resolve(RunFiles.RUN_JSON))) {
            return;
        }
        try (RunWriter w = RunWriter.open(dir)) {
            Path baselineDir = slice.baselineDir();
            if (baselineDir != null && Files.isDirectory(baselineDir)) {
                RunReader base = RunReader.open(baselineDir);
                long from = slice.fromMs() - BEFORE_MS;
                long to = slice.toMs();
                List<CounterRecord> counters = base.counters().stream()
                        .filter(c -> c.tsMs() >= from && c.tsMs() <= to)
                        .filter(c -> c.experimentId() == null || Objects.equals(c.experimentId(), run.id()))
                        .filter(c -> !slice.ownSources().contains(c.source()))
                        .toList();
                w.appendCounters(counters);
                for (String name : base.seriesNames()) {
                    Series s = base.series(name).orElse(null);
                    if (s == null) {
                        continue;
                    }
                    try (SeriesWriter out = w.series(name, name + " of the baseline traffic in this run's window", from)) {
                        for (Histogram h : s.intervals()) {
                            boolean mine = h.getTag() == null || h.getTag().equals(run.id());
                            if (mine && h.getStartTimeStamp() >= from && h.getStartTimeStamp() <= to) {
                                out.append(h, h.getTag());
                            }
                        }
                    }
                }
            }
            w.writeRun(run);
        }
    }
}
