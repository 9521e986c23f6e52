package io.stampede.chaos.experiment;

/**
 * Delay bytes through the NATS proxy by delay_ms ± jitter_pct·delay_ms; with a {@code subject}
 * (NATS wildcards allowed) only the messages on matching subjects, the others pass at once.
 */
public record NatsLatency(int delayMs, int durationS, double jitterPct, Direction direction, String subject)
        implements ExperimentSpec {
    /** Every byte, no subject filter (the byte path: nothing reordered). */
    public NatsLatency(int delayMs, int durationS, double jitterPct, Direction direction) {
        this(delayMs, durationS, jitterPct, direction, null);
    }

    public enum Direction {
        /** client → server only: publish→subscribe latency grows by delay_ms once */
        TO_SERVER,
        /** both directions: a request/reply round trip grows by 4 × delay_ms */
        BOTH
    }

    @Override
    public SpecType kind() {
        return SpecType.NATS_LATENCY;
    }
}
