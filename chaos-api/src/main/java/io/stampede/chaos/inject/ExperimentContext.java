package io.stampede.chaos.inject;

import io.stampede.chaos.experiment.TimeScale;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What an injector knows about the experiment it serves.
 *
 * @param experimentId e.g. {@code chaos_backpressure_1732600000123}
 * @param runDir       the experiment's run directory (timeline.jsonl and engine files)
 * @param timeScale    the server's time scale; injectors scale through {@link #scaled}, never by hand
 */
public record ExperimentContext(String experimentId, Path runDir, TimeScale timeScale) {
    public ExperimentContext(String experimentId, Path runDir, double timeScale) {
        this(experimentId, runDir, new TimeScale(timeScale));
    }

    /** {@code seconds} of experiment time (a duration_s) as wall-clock time. */
    public Duration scaled(double seconds) {
        return timeScale.of(seconds);
    }
}
