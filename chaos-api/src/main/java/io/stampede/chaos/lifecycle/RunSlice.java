package io.stampede.chaos.lifecycle;

import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunReader;
import io.stampede.reports.RunWriter;
import io.stampede.reports.Series;
import io.stampede.reports.SeriesWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an experiment's (or a plan's) run directory a complete run record once its verdict is
 * final: its run.json, and the baseline run's latency series and counters of its time window
 * (whole-run intervals, and those tagged with its id), so its report, gate and compare work on
 * that directory alone. Written once: run.json marks a directory already completed.
 */
final class RunSlice {
    private static final Logger log = LoggerFactory.getLogger(RunSlice.class);
    /** Context before the fault in the charts. */
    static final long BEFORE_MS = 10_000;

    private RunSlice() {}

    static void complete(Path dir, RunInfo run, Path baselineDir, long fromMs, long toMs) {
        if (Files.exists(dir.resolve(RunFiles.RUN_JSON))) {
            return;
        }
        try (RunWriter w = RunWriter.open(dir)) {
            if (baselineDir != null && Files.isDirectory(baselineDir)) {
                RunReader base = RunReader.open(baselineDir);
                long from = fromMs - BEFORE_MS;
                List<CounterRecord> counters = base.counters().stream()
                        .filter(c -> c.tsMs() >= from && c.tsMs() <= toMs)
                        .filter(c -> c.experimentId() == null || Objects.equals(c.experimentId(), run.id()))
                        // the directory has SUT samples of its own, taken live
                        .filter(c -> !SutSampler.SOURCE.equals(c.source()))
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
                            if (mine && h.getStartTimeStamp() >= from && h.getStartTimeStamp() <= toMs) {
                                out.append(h, h.getTag());
                            }
                        }
                    }
                }
            }
            w.writeRun(run);
        } catch (RuntimeException failure) {
            log.warn("run record of {} not completed: {}", run.id(), failure.toString());
        }
    }

    static RunInfo info(String id, String type, String planId, long createdMs, Long startedMs, Long endedMs,
                        Map<String, Object> params) {
        return new RunInfo(RunFiles.FORMAT, id, type, planId, "chaos-api", createdMs, startedMs, endedMs, params);
    }
}
