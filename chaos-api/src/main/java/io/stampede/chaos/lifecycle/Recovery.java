package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.ExperimentState;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up: reads the journal a previous process left, reverts every fault it may have left
 * applied, marks what was still active {@code aborted}, then compacts the journal to one record
 * per experiment it keeps (recovered experiments stay listed, as aborted).
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    /** What a start found: the recovered experiments and how many journal lines were unreadable. */
    record Report(List<Experiment> recovered, int skippedLines, boolean tornTail) {}

    private Recovery() {}

    static Report run(ExperimentLog events, ExperimentRegistry registry, ExperimentRunner runner) {
        Journal.Contents contents = Journal.read(events.journal().file());
        Map<String, JsonObject> last = new LinkedHashMap<>();
        for (JsonObject record : contents.records()) {
            JsonObject snap = record.getJsonObject("experiment");
            if (snap != null && snap.getString("experiment_id") != null) {
                last.put(snap.getString("experiment_id"), snap);
            }
        }
        List<Experiment> recovered = new ArrayList<>();
        for (JsonObject snap : last.values()) {
            Experiment e;
            try {
                e = Experiment.fromSnapshot(snap);
            } catch (RuntimeException bad) {
                log.error("journal record for {} unreadable, skipped: {}", snap.getString("experiment_id"), bad.toString());
                continue;
            }
            registry.put(e);
            if (!e.state().isFinal() || e.fault().mayBeApplied()) {
                recovered.add(e);
            }
        }
        for (Experiment e : recovered) {
            ExperimentRunner.withMdc(e, () -> {
                e.transitions.lock();
                try {
                    boolean applied = e.fault().mayBeApplied();
                    if (applied) {
                        log.warn("experiment {} was {} when the chaos API stopped; reverting its fault", e.id(), e.fault().json());
                        e.reverting();
                        runner.revert(e);
                    }
                    if (!e.state().isFinal()) {
                        e.end(ExperimentState.ABORTED, Instant.now(), applied
                                ? "chaos API restarted after a crash; fault reverted"
                                : "chaos API restarted after a crash before the experiment started");
                    }
                    events.record(e, "ended", new JsonObject().put("recovered", true));
                } finally {
                    e.transitions.unlock();
                }
            });
        }
        registry.trim();
        try {
            events.journal().compact(registry.all().stream()
                    .sorted(java.util.Comparator.comparingLong(x -> ExperimentRegistry.digitsOf(x.id())))
                    .map(x -> new JsonObject().put("ts", Instant.now().toString()).put("event", "compacted")
                            .put("experiment", x.snapshot()))
                    .toList());
        } catch (RuntimeException failure) {
            // the journal as it was still says everything; compaction only saves space
            log.warn("journal compaction failed: {}", failure.toString());
        }
        if (contents.skipped() > 0) {
            log.warn("journal {}: {} unreadable line(s) skipped{}", events.journal().file(), contents.skipped(),
                    contents.tornTail() || events.journal().repairedTornTail() ? " (a torn last line: the previous process crashed mid-write)" : "");
        }
        return new Report(recovered, contents.skipped(), contents.tornTail() || events.journal().repairedTornTail());
    }
}
