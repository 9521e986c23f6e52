package io.stampede.chaos.experiment;

/**
 * The experiment types of the control API, one record each. Each names its {@link SpecType}, which
 * holds the JSON {@code type} name; {@code duration_s} is common to all. {@link SpecCodec} is the
 * one mapping between these records and JSON.
 */
public sealed interface ExperimentSpec
        permits NatsLatency, ServiceFailure, Backpressure, LoadTest, DuplicateMessages, MessageFaults {

    /** Which type this is: {@code switch (spec.kind())} is how code decides per type. */
    SpecType kind();

    /** The JSON {@code type} value. */
    default String type() {
        return kind().json();
    }

    /** Seconds the fault stays applied (before the server time scale). */
    int durationS();
}
