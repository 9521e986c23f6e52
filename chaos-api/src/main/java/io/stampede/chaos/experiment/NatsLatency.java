package io.stampede.chaos.experiment;

/** Delay bytes through the NATS proxy by delay_ms ± jitter_pct·delay_ms. */
public record NatsLatency(int delayMs, int durationS, double jitterPct, Direction direction) implements ExperimentSpec {
    public static final String TYPE = "nats_latency";

    public enum Direction {
        /** client → server only: publish→subscribe latency grows by delay_ms once */
        TO_SERVER,
        /** both directions: a request/reply round trip grows by 4 × delay_ms */
        BOTH
    }

    @Override
    public String type() {
        return TYPE;
    }
}
