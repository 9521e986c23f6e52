package io.stampede.chaos.experiment;

/**
 * Source {@code baseline} (default): re-publish a fraction of the baseline messages, like an
 * upstream retry (app) or with the same Nats-Msg-Id (stream). Source {@code bus}: the proxy
 * delivers a fraction of the system's own deliveries on {@code subject} (default {@code >}) twice,
 * the same frame (a JetStream delivery twice with the same ack subject).
 */
public record DuplicateMessages(double duplicateRate, int durationS, int duplicateDelayMs, Mode mode, Source source,
                                String subject) implements ExperimentSpec {
    public enum Mode { APP, STREAM }

    public enum Source { BASELINE, BUS }

    /** Baseline duplicates (today's behaviour). */
    public DuplicateMessages(double duplicateRate, int durationS, int duplicateDelayMs, Mode mode) {
        this(duplicateRate, durationS, duplicateDelayMs, mode, Source.BASELINE, null);
    }

    @Override
    public SpecType kind() {
        return SpecType.DUPLICATE_MESSAGES;
    }
}
