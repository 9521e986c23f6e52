package io.stampede.chaos.lifecycle;

import io.stampede.reports.RunFiles;
import io.stampede.reports.RunWriter;
import io.stampede.reports.TimelineEvent;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends events to a run directory's {@code timeline.jsonl} through the reports module's writer
 * ({@link RunWriter#appendTimeline(Path, TimelineEvent...)}; schema {@code {"ts_ms", "event",
 * "experiment_id", "data"}}, reports/README.md), so every writer of the file uses one schema.
 */
public final class Timeline {
    private static final Logger log = LoggerFactory.getLogger(Timeline.class);
    public static final String FILE = RunFiles.TIMELINE_JSONL;

    private Timeline() {}

    /** {@code data} (null = no details) becomes the event's {@code data} object. */
    public static void append(Path runDir, String event, String experimentId, JsonObject data) {
        TimelineEvent e = new TimelineEvent(System.currentTimeMillis(), event, experimentId, toMap(data));
        try {
            RunWriter.appendTimeline(runDir, e);
        } catch (UncheckedIOException | IllegalArgumentException ex) {
            // The timeline is for reports; the journal is the record that matters for safety.
            log.warn("timeline write failed in {}: {}", runDir, ex.toString());
        }
    }

    /** Plain Java values (nested maps and lists, not JsonObject/JsonArray), as the reports codec takes them. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> toMap(JsonObject data) {
        return data == null ? Map.of() : Json.decodeValue(data.encode(), Map.class);
    }
}
