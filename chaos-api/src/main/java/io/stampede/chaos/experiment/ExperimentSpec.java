package io.stampede.chaos.experiment;

/**
 * The experiment types of the control API, one record each. The JSON {@code type} name is
 * declared once, by {@link #type()}; {@code duration_s} is common to all.
 */
public sealed interface ExperimentSpec
        permits NatsLatency, ServiceFailure, Backpressure, LoadTest, DuplicateMessages, MessageFaults {

    /** The JSON {@code type} value. */
    String type();

    /** Seconds the fault stays applied (before the server time scale). */
    int durationS();
}
