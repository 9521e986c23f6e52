package io.stampede.chaos.experiment;

/**
 * Faults on NATS messages at the proxy: of the messages whose subject matches {@code subject}
 * (wildcards {@code *} and {@code >}) going {@code direction}, optionally only on connections
 * whose CONNECT name is {@code client}: drop a fraction, deliver a fraction twice, delay each by
 * delay_ms ± jitter_pct, hold each a random 0..reorder_window_ms so they overtake each other.
 * Messages that do not match are never held.
 */
public record MessageFaults(String subject, Direction direction, String client, double dropRate, double duplicateRate,
                            int delayMs, double jitterPct, int reorderWindowMs, int durationS) implements ExperimentSpec {
    public enum Direction {
        /** PUB/HPUB on their way to nats-server */
        TO_SERVER,
        /** MSG/HMSG deliveries on their way to subscribers */
        TO_CLIENT,
        BOTH
    }

    @Override
    public SpecType kind() {
        return SpecType.MESSAGE_FAULTS;
    }
}
