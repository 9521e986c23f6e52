package io.stampede.reports;

import java.util.Objects;

/**
 * What a message fault (the NATS proxy's per-message rule: {@code message_faults},
 * {@code nats_latency} with a {@code subject}, {@code duplicate_messages} from the bus) did:
 * the proxy's counters at the end of the fault (live: the last ones read). verdict.json's
 * {@code fault}; null for a run without a message fault.
 *
 * @param subject    the fault's subject filter
 * @param direction  {@code to_server}, {@code to_client} or {@code both}
 * @param matched    frames whose subject (and direction, client) matched
 * @param delayed    matched frames held for {@code delay_ms}
 * @param dropped    matched frames not forwarded
 * @param duplicated matched frames forwarded twice
 * @param reordered  frames that left after a matching frame that arrived after them
 */
public record FaultCounters(String subject, String direction, long matched, long delayed, long dropped, long duplicated,
                            long reordered) {
    public FaultCounters {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(direction, "direction");
    }
}
