package io.stampede.chaos.experiment;

import io.stampede.reports.RunType;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The experiment types, one constant per record of {@link ExperimentSpec}: the JSON {@code type}
 * name (taken from the run type, where it is declared once) and the parameters a body of that type
 * may carry besides the common ones. Per-type decisions are {@code switch} expressions over this
 * enum, which the compiler checks are exhaustive: a new type fails to compile until every one of
 * them says what it does.
 */
public enum SpecType {
    NATS_LATENCY(RunType.NATS_LATENCY, "delay_ms", "jitter_pct", "direction", "subject"),
    SERVICE_FAILURE(RunType.SERVICE_FAILURE, "service", "failure_type"),
    BACKPRESSURE(RunType.BACKPRESSURE, "rate_multiplier"),
    LOAD_TEST(RunType.LOAD_TEST, "rps", "payload_size", "target_url"),
    DUPLICATE_MESSAGES(RunType.DUPLICATE_MESSAGES, "duplicate_rate", "duplicate_delay_ms", "mode", "source", "subject"),
    MESSAGE_FAULTS(RunType.MESSAGE_FAULTS, "subject", "direction", "client", "drop_rate", "duplicate_rate", "delay_ms",
            "jitter_pct", "reorder_window_ms");

    /** Every JSON name, sorted (as error messages list them). */
    public static final SortedSet<String> NAMES =
            Collections.unmodifiableSortedSet(new TreeSet<>(Arrays.stream(values()).map(SpecType::json).toList()));

    private final RunType runType;
    private final Set<String> fields;

    SpecType(RunType runType, String... fields) {
        this.runType = runType;
        this.fields = Set.of(fields);
    }

    /** The JSON {@code type} value, e.g. {@code nats_latency}; also the metrics' {@code type} tag. */
    public String json() {
        return runType.json();
    }

    /** The run type of this experiment's run directory and verdict. */
    public RunType runType() {
        return runType;
    }

    /** The type's own parameter names (the common ones are {@link SpecCodec}'s). */
    Set<String> fields() {
        return fields;
    }

    public static Optional<SpecType> fromJson(String name) {
        return Arrays.stream(values()).filter(t -> t.json().equals(name)).findFirst();
    }
}
