package io.stampede.loadgen;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of a {@link LoadGenerator}. Counters are read live; percentiles are the cumulative
 * ones as of the last one-second tick. Cheap: a few dozen reads and small records.
 *
 * @param runPrefix   id prefix of this run's messages
 * @param elapsedSeconds since start
 * @param targetRate  current baseline × multipliers (capped), messages per second; 0 when unpaced
 * @param total       the whole run
 * @param experiments per experiment id that ever acted on this generator
 * @param verifier    delivery verification, or null without a verifier
 * @param payloadAllocations payload arrays allocated because no pooled one was free yet (0 in a healthy run)
 */
public record LoadStats(String runPrefix, double elapsedSeconds, double targetRate, TrafficStats total,
                        Map<String, TrafficStats> experiments, VerifierStats verifier, long payloadAllocations) {

    /**
     * The one JSON form of a snapshot: {@code run_prefix}, {@code elapsed_s}, {@code target_rate},
     * {@code achieved_rate} (the whole run's, last second), {@code total} ({@link TrafficStats#toMap()}),
     * {@code experiments} (id → {@link TrafficStats#toMap()}), {@code verifier}
     * ({@link VerifierStats#toMap()} or null) and {@code payload_allocations}.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_prefix", runPrefix);
        m.put("elapsed_s", elapsedSeconds);
        m.put("target_rate", targetRate);
        m.put("achieved_rate", total.achievedRate());
        m.put("total", total.toMap());
        Map<String, Object> e = new LinkedHashMap<>();
        experiments.forEach((id, t) -> e.put(id, t.toMap()));
        m.put("experiments", e);
        m.put("verifier", verifier == null ? null : verifier.toMap());
        m.put("payload_allocations", payloadAllocations);
        return m;
    }
}
