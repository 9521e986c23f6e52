package io.stampede.loadgen;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of the whole run or of one experiment id.
 *
 * <p>One serialisation, one set of key names ({@link #counterValues()}, {@link #toMap()}): the run
 * directory's {@code counters.jsonl} (source {@code loadgen}) and the chaos API's {@code stats} use
 * the same names.
 *
 * @param achievedRate  originals + duplicates accepted per second over the last second
 * @param scheduled     originals the pacer scheduled (whole run only; 0 for an experiment)
 * @param sent          originals accepted by the NATS client (includes {@code buffered} ones)
 * @param duplicatesSent duplicates accepted by the NATS client (key {@code duplicates})
 * @param buffered      of those accepted, how many while disconnected (held in the reconnect buffer)
 * @param failed        could not be handed over (queue full, connection down or closed) or, in
 *                      JetStream mode, got no ack; never silently dropped
 * @param acked         JetStream acks received
 * @param ackDuplicates JetStream acks flagged duplicate by the stream
 * @param lateness      actual minus intended send time
 */
public record TrafficStats(String id, double achievedRate, long scheduled, long sent, long duplicatesSent, long buffered,
                           long failed, long acked, long ackDuplicates, LatencySummary lateness) {
    /** {@link #id()} of the whole run's stats. */
    public static final String TOTAL_ID = "total";

    /**
     * The cumulative counters: {@code scheduled} (whole run only), {@code sent}, {@code duplicates},
     * {@code buffered}, {@code acked}, {@code ack_duplicates}, {@code failed}.
     */
    public Map<String, Number> counterValues() {
        Map<String, Number> m = new LinkedHashMap<>();
        if (TOTAL_ID.equals(id)) {
            m.put("scheduled", scheduled);
        }
        m.put("sent", sent);
        m.put("duplicates", duplicatesSent);
        m.put("buffered", buffered);
        m.put("acked", acked);
        m.put("ack_duplicates", ackDuplicates);
        m.put("failed", failed);
        return m;
    }

    /** {@link #counterValues()} plus {@code lateness_us} ({@link LatencySummary#toMap()}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(counterValues());
        m.put("lateness_us", lateness.toMap());
        return m;
    }
}
