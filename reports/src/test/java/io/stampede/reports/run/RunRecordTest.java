package io.stampede.reports.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.reports.CounterRecord;
import io.stampede.reports.Observation;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunReader;
import io.stampede.reports.RunType;
import io.stampede.reports.Series;
import io.stampede.reports.Thresholds;
import io.stampede.reports.Verdict;
import io.stampede.reports.VerdictBuilder;
import io.stampede.reports.html.HtmlReport;
import io.stampede.reports.testing.SyntheticRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One call finishes a run directory: the baseline's slice of its window, run.json, verdict.json, report.html. */
class RunRecordTest {
    @TempDir
    Path tmp;

    @Test
    void finishWritesTheSliceRunVerdictAndReport() {
        Path baseline = SyntheticRun.of("baseline").series("e2e").seconds(60).noVerdict().write(tmp.resolve("baseline"));
        Path dir = tmp.resolve("chaos_backpressure_1");
        long from = SyntheticRun.START_MS + 30_000;
        long to = SyntheticRun.START_MS + 40_000;
        RunInfo run = new RunInfo(RunFiles.FORMAT, "chaos_backpressure_1", "backpressure", null, "chaos-api",
                SyntheticRun.START_MS, from, to, Map.of("rate_multiplier", 2));
        Verdict v = verdict("chaos_backpressure_1");

        assertThat(RunRecord.finished(dir)).isFalse();
        assertThat(RunRecord.finish(dir, run, v, new RunRecord.Slice(baseline, from, to, Set.of("sut")))).isEmpty();

        assertThat(RunRecord.finished(dir)).isTrue();
        RunReader r = RunReader.open(dir);
        assertThat(r.run()).contains(run);
        assertThat(r.verdict()).contains(v);
        assertThat(dir.resolve(HtmlReport.FILE_NAME)).isRegularFile();
        assertThat(r.counters()).isNotEmpty()
                .allSatisfy(c -> assertThat(c.tsMs()).isBetween(from - RunRecord.BEFORE_MS, to))
                .extracting(CounterRecord::source).doesNotContain("sut").contains("loadgen");
        Series e2e = r.series("e2e").orElseThrow();
        assertThat(e2e.intervals()).hasSize(21) // 10 s before the window and the window (both ends in), one interval a second
                .extracting(Histogram::getStartTimeStamp).allSatisfy(ts -> assertThat(ts).isBetween(from - RunRecord.BEFORE_MS, to));
    }

    @Test
    void runJsonIsWrittenOnceAndAMissingBaselineIsNoProblem() throws Exception {
        Path dir = tmp.resolve("plan_1");
        RunInfo first = new RunInfo(RunFiles.FORMAT, "plan_1", "plan", null, "chaos-api", 1, 2L, 3L, Map.of("steps", java.util.List.of("a")));
        RunRecord.Slice none = new RunRecord.Slice(null, 0, 10, Set.of());
        assertThat(RunRecord.finish(dir, first, verdict("plan_1"), none)).isEmpty();
        RunInfo second = new RunInfo(RunFiles.FORMAT, "plan_1", "plan", null, "chaos-api", 1, 2L, 99L, Map.of());
        assertThat(RunRecord.finish(dir, second, verdict("plan_1"), none)).isEmpty();
        assertThat(RunReader.open(dir).run()).contains(first);
        assertThat(Files.exists(dir.resolve(RunFiles.COUNTERS_JSONL))).isFalse();
    }

    private static Verdict verdict(String id) {
        return VerdictBuilder.build(Observation.builder(id, RunType.BACKPRESSURE).isFinal(true).integrity(10, 10, 0, 0, 0).build(),
                Thresholds.DEFAULTS, SyntheticRun.START_MS + 50_000);
    }
}
