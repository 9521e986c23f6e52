package io.stampede.chaos.experiment;

/** Re-publish a fraction of the baseline messages, like an upstream retry (app) or with the same Nats-Msg-Id (stream). */
public record DuplicateMessages(double duplicateRate, int durationS, int duplicateDelayMs, Mode mode) implements ExperimentSpec {
    public static final String TYPE = "duplicate_messages";

    public enum Mode { APP, STREAM }

    @Override
    public String type() {
        return TYPE;
    }
}
