package io.stampede.loadgen;

import java.util.Map;

/**
 * A snapshot of a {@link LoadGenerator}. Counters are read live; percentiles are the cumulative
 * ones as of the last one-second tick. Cheap: a few dozen reads and small records.
 *
 * @param runPrefix   id prefix of this run's messages
 * @param elapsedSeconds since start
 * @param targetRate  current baseline × multipliers (capped), messages per second; 0 when unpaced
 * @param total       the whole run
 * @param experiments per experiment id that ever acted on this generator
 * @param verifier    delivery verification, or null without a verifier
 * @param payloadAllocations payload arrays allocated because no pooled one was free yet (0 in a healthy run)
 */
public record LoadStats(String runPrefix, double elapsedSeconds, double targetRate, TrafficStats total,
                        Map<String, TrafficStats> experiments, VerifierStats verifier, long payloadAllocations) {}
