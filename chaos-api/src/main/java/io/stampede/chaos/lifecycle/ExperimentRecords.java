package io.stampede.chaos.lifecycle;

import io.stampede.reports.Problem;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.Verdict;
import io.stampede.reports.run.RunRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An experiment's run record ({@code var/runs/<id>/}), finished once its verdict is final: the
 * baseline run's slice of the experiment's time, run.json, verdict.json and report.html, all
 * written by reports' {@link RunRecord}.
 */
final class ExperimentRecords {
    private static final Logger log = LoggerFactory.getLogger(ExperimentRecords.class);

    private final Supplier<Path> baselineDir;

    /** @param baselineDir the baseline run's directory (its series and counters feed every run record), or null */
    ExperimentRecords(Supplier<Path> baselineDir) {
        this.baselineDir = baselineDir;
    }

    /** A write that fails is logged and costs that file, not the verdict. */
    void finish(Experiment e, Verdict v, long fromMs) {
        Experiment.View view = e.view();
        RunInfo run = new RunInfo(RunFiles.FORMAT, e.id(), e.type(), e.planId(), "chaos-api", e.createdAt().toEpochMilli(),
                view.appliedAt() == null ? null : view.appliedAt().toEpochMilli(),
                view.endedAt() == null ? null : view.endedAt().toEpochMilli(), e.toJson(null).getJsonObject("params").getMap());
        List<Problem> problems = RunRecord.finish(e.runDir(), run, v, slice(fromMs));
        problems.forEach(p -> log.warn("run record of {}: {} not written: {}", e.id(), p.field(), p.problem()));
    }

    /** The baseline run's slice from {@code fromMs} to now (the SUT's samples are taken live into each directory). */
    RunRecord.Slice slice(long fromMs) {
        return new RunRecord.Slice(baselineDir.get(), fromMs, System.currentTimeMillis(), Set.of(SutSampler.SOURCE));
    }
}
