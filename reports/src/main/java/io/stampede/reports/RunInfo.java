package io.stampede.reports;

import java.util.Map;
import java.util.Objects;

/**
 * {@code run.json}: what the run is. Written at start, replaced (atomically) when it ends.
 *
 * @param format       {@link RunFiles#FORMAT}
 * @param id           experiment id, plan id, or the run's own id (loadgen / simulation runs)
 * @param type         {@link RunType#json()} or, for standalone runs, {@code loadgen} / {@code simulation}
 * @param planId       the plan this experiment belongs to, or null
 * @param producer     the program that wrote the directory ({@code chaos-api}, {@code loadgen}, {@code simulations}, ...)
 * @param createdAtMs  epoch ms
 * @param startedAtMs  epoch ms, null until it started
 * @param endedAtMs    epoch ms, null until it ended
 * @param params       the run's parameters (JSON values: String, Number, Boolean, null, List, Map)
 */
public record RunInfo(String format, String id, String type, String planId, String producer, long createdAtMs,
                      Long startedAtMs, Long endedAtMs, Map<String, Object> params) {
    public RunInfo {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(producer, "producer");
        params = Codec.normalizeMap(params);
    }

    public static RunInfo of(String id, String type, String producer, long createdAtMs, Map<String, Object> params) {
        return new RunInfo(RunFiles.FORMAT, id, type, null, producer, createdAtMs, null, null, params);
    }

    public RunInfo withPlanId(String p) {
        return new RunInfo(format, id, type, p, producer, createdAtMs, startedAtMs, endedAtMs, params);
    }

    public RunInfo started(long ms) {
        return new RunInfo(format, id, type, planId, producer, createdAtMs, ms, endedAtMs, params);
    }

    public RunInfo ended(long ms) {
        return new RunInfo(format, id, type, planId, producer, createdAtMs, startedAtMs, ms, params);
    }

    /** This record as {@code run.json} writes it. */
    public String toJson() {
        return Codec.runInfoToJson(this);
    }
}
