package io.stampede.chaos.inject;

import java.nio.file.Path;

/**
 * What an injector knows about the experiment it serves.
 *
 * @param experimentId e.g. {@code chaos_backpressure_1732600000123}
 * @param runDir       the experiment's run directory (timeline.jsonl and engine files)
 * @param timeScale    server time scale (1.0 in production; tests shrink durations)
 */
public record ExperimentContext(String experimentId, Path runDir, double timeScale) {}
