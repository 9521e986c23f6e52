package io.stampede.reports;

import java.util.Locale;
import java.util.Optional;

/**
 * What a run directory records: one of the six experiment types, a plan, or the baseline run. The
 * one declaration of these names: the control API's experiment types ({@code SpecType} in chaos-api)
 * take theirs from here.
 */
public enum RunType {
    NATS_LATENCY, SERVICE_FAILURE, BACKPRESSURE, LOAD_TEST, DUPLICATE_MESSAGES, MESSAGE_FAULTS, PLAN, BASELINE;

    /** The JSON spelling, the same as the control API's {@code type}: {@code nats_latency}, ..., {@code plan}, {@code baseline}. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<RunType> fromJson(String s) {
        for (RunType v : values()) {
            if (v.json().equals(s)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
