package io.stampede.loadgen;

/**
 * Counters of the whole run or of one experiment id.
 *
 * @param achievedRate  originals + duplicates accepted per second over the last second
 * @param scheduled     originals the pacer scheduled (whole run only; 0 for an experiment)
 * @param sent          originals accepted by the NATS client (includes {@code buffered} ones)
 * @param duplicatesSent duplicates accepted by the NATS client
 * @param buffered      of those accepted, how many while disconnected (held in the reconnect buffer)
 * @param failed        could not be handed over (queue full, connection down or closed) or, in
 *                      JetStream mode, got no ack; never silently dropped
 * @param acked         JetStream acks received
 * @param ackDuplicates JetStream acks flagged duplicate by the stream
 * @param lateness      actual minus intended send time
 */
public record TrafficStats(String id, double achievedRate, long scheduled, long sent, long duplicatesSent, long buffered,
                           long failed, long acked, long ackDuplicates, LatencySummary lateness) {}
