package io.stampede.chaos.lifecycle;

import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an experiment's transitions: first the journal (the safety record a restart reads),
 * then its run's timeline (and its plan's), the story for reports.
 */
final class ExperimentLog {
    private static final Logger log = LoggerFactory.getLogger(ExperimentLog.class);

    private final Journal journal;
    private final Path runsDir;
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError;

    ExperimentLog(Journal journal, Path runsDir) {
        this.journal = journal;
        this.runsDir = runsDir;
    }

    Journal journal() {
        return journal;
    }

    /** Journals and timelines a transition; throws when the journal refuses (callers that must not apply). */
    void recordOrThrow(Experiment e, String event, JsonObject data) {
        journal.append(new JsonObject().put("ts", Instant.now().toString()).put("event", event).put("experiment", e.snapshot()));
        timelineOf(e, event, data);
    }

    /**
     * Journals and timelines a transition that happens anyway (a revert is never skipped because
     * the disk is full): a journal failure is logged, counted and reported in /healthz.
     */
    boolean record(Experiment e, String event, JsonObject data) {
        boolean ok = true;
        try {
            journal.append(new JsonObject().put("ts", Instant.now().toString()).put("event", event).put("experiment", e.snapshot()));
        } catch (UncheckedIOException | IllegalStateException failure) {
            ok = false;
            failures.incrementAndGet();
            lastError = failure.getMessage() + (failure.getCause() == null ? "" : ": " + failure.getCause());
            log.error("experiment {}: journal write for '{}' failed ({}); carrying on", e.id(), event, lastError);
        }
        timelineOf(e, event, data);
        return ok;
    }

    private void timelineOf(Experiment e, String event, JsonObject data) {
        JsonObject line = new JsonObject().put("type", e.type()).put("status", e.state().json()).put("fault", e.fault().json());
        if (data != null) {
            line.mergeIn(data);
        }
        timeline(e, event, line);
    }

    /** Adds an event to the experiment's timeline and to its plan's. */
    void timeline(Experiment e, String event, JsonObject data) {
        Timeline.append(e.runDir(), event, e.id(), data);
        if (e.planId() != null) {
            Timeline.append(runsDir.resolve(e.planId()), event, e.id(), data);
        }
    }

    long failures() {
        return failures.get();
    }

    String lastError() {
        return lastError;
    }
}
