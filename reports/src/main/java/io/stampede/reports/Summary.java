package io.stampede.reports;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code summary.json}: a run's final figures, written once when it ends (or when interrupted,
 * with {@code completed = false}).
 *
 * @param runId      run.json's id
 * @param completed  false when the run was interrupted
 * @param endedAtMs  epoch ms
 * @param counters   the last counter record of each (source, experiment id), same schema as counters.jsonl
 * @param latency    per series (and tag) percentiles
 * @param values     other final figures of the run (same naming rule as counters: unit suffix = gauge),
 *                   e.g. {@code achieved_per_s}, {@code measured_window_s}
 */
public record Summary(String runId, boolean completed, long endedAtMs, List<CounterRecord> counters,
                      List<LatencyStats> latency, Map<String, Number> values) {
    public Summary {
        Objects.requireNonNull(runId, "runId");
        counters = List.copyOf(counters);
        latency = List.copyOf(latency);
        values = Codec.normalizeNumbers(values);
    }
}
