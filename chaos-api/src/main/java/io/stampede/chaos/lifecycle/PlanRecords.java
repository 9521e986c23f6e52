package io.stampede.chaos.lifecycle;

import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.Thresholds;
import io.stampede.reports.Verdict;
import io.stampede.reports.VerdictBuilder;
import io.stampede.reports.run.RunRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plan's verdict over its steps' verdicts, and its run record ({@code var/runs/<plan_id>/}),
 * finished once the plan's verdict is final: when its last step's verdict turns final (as a
 * listener), whether or not anyone asks, or when it is asked for (a plan of a previous process).
 */
final class PlanRecords implements ExperimentListener {
    private static final Logger log = LoggerFactory.getLogger(PlanRecords.class);

    private final Path runsDir;
    private final Function<String, List<Experiment>> steps;
    private final Function<Experiment, Verdict> verdictOf;
    private final LongFunction<RunRecord.Slice> slice;
    /** Guards finishing a plan's directory (its verdict.json is written once). */
    private final Object finishing = new Object();

    /**
     * @param steps     a plan's steps, in order
     * @param verdictOf a step's verdict as the API shows it
     * @param slice     the baseline run's slice from a time (epoch ms) to now
     */
    PlanRecords(Path runsDir, Function<String, List<Experiment>> steps, Function<Experiment, Verdict> verdictOf,
                LongFunction<RunRecord.Slice> slice) {
        this.runsDir = runsDir;
        this.steps = steps;
        this.verdictOf = verdictOf;
        this.slice = slice;
    }

    @Override
    public void verdictFinal(Experiment e, Verdict v) {
        if (e.planId() != null) {
            verdict(e.planId(), steps.apply(e.planId()));
        }
    }

    /** The plan's verdict; once final, its run directory is finished (once). */
    Verdict verdict(String planId, List<Experiment> planSteps) {
        Verdict pv = VerdictBuilder.plan(planId, planSteps.stream().map(verdictOf).toList(), null, Thresholds.DEFAULTS,
                System.currentTimeMillis());
        if (pv.isFinal() && !planSteps.isEmpty()) {
            Path dir = RunFiles.planDir(runsDir, planId);
            // a GET and the last step's settling may both get here: one writes, once
            synchronized (finishing) {
                if (!RunRecord.finished(dir)) {
                    long from = planSteps.stream().map(s -> s.view().appliedAt() == null ? s.createdAt() : s.view().appliedAt())
                            .mapToLong(Instant::toEpochMilli).min().orElse(System.currentTimeMillis());
                    RunInfo run = new RunInfo(RunFiles.FORMAT, planId, "plan", null, "chaos-api",
                            planSteps.get(0).createdAt().toEpochMilli(), from, System.currentTimeMillis(),
                            Map.of("steps", planSteps.stream().map(Experiment::id).toList()));
                    RunRecord.finish(dir, run, pv, slice.apply(from))
                            .forEach(p -> log.warn("plan {}: {} not written: {}", planId, p.field(), p.problem()));
                }
            }
        }
        return pv;
    }
}
