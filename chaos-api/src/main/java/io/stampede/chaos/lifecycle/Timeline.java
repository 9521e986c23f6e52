package io.stampede.chaos.lifecycle;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Appends events to a run directory's {@code timeline.jsonl} (read by the reports module). */
public final class Timeline {
    private static final Logger log = LoggerFactory.getLogger(Timeline.class);
    public static final String FILE = "timeline.jsonl";

    private Timeline() {}

    public static void append(Path runDir, String event, String experimentId, JsonObject data) {
        JsonObject line = new JsonObject()
                .put("ts", Instant.now().toString())
                .put("event", event)
                .put("experiment_id", experimentId);
        if (data != null) {
            line.mergeIn(data);
        }
        try {
            Files.createDirectories(runDir);
            synchronized (Timeline.class) {
                Files.writeString(runDir.resolve(FILE), line.encode() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            // The timeline is for reports; the journal is the record that matters for safety.
            log.warn("timeline write failed in {}: {}", runDir, e.toString());
        }
    }
}
