package io.stampede.loadgen;

/**
 * What the delivery verifier saw.
 *
 * @param expected        ids confirmed sent (accepted by core NATS, or acked by JetStream)
 * @param delivered       distinct ids of this run with an outcome
 * @param lost            sent ids without an outcome within the grace period (so far, or final)
 * @param duplicated      distinct ids with more than one outcome (processed twice)
 * @param extraOutcomes   outcomes beyond the first per id
 * @param unexpected      outcomes for ids of this run never confirmed sent
 * @param foreign         outcomes without a parsable id of this run
 * @param dropped         outcomes the verifier's subscription dropped (slow consumer): a lost count
 *                        is not trustworthy when this is not 0
 * @param e2e             intended send time to outcome arrival
 * @param finished        true once the final lost count is in (after the grace period)
 * @param untracked       outcomes for ids of this run whose per-id state was already released
 *                        (older than {@link VerifierConfig#retainedMessages()}): not matched, so
 *                        counted in none of delivered, duplicated, unexpected; lost stays as it was
 *                        at release
 * @param releasedBelow   sequence numbers below this have been released (their counts stay in the totals)
 */
public record VerifierStats(long expected, long delivered, long lost, long duplicated, long extraOutcomes, long unexpected,
                            long foreign, long dropped, LatencySummary e2e, boolean finished, long untracked,
                            long releasedBelow) {}
