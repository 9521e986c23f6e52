package io.stampede.loadgen;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the delivery verifier saw.
 *
 * <p>One serialisation, one set of key names ({@link #counterValues()}, {@link #toMap()}): the run
 * directory's {@code counters.jsonl} (source {@code verifier}) and the chaos API's {@code stats}
 * use the same names.
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
 * @param unreported      outcomes for ids a load agent may have sent after its last progress report
 *                        before it went missing (see {@link DeliveryVerifier#forShares}): neither
 *                        expected, delivered nor unexpected, since whether it sent them is unknown;
 *                        always 0 for a single process
 */
public record VerifierStats(long expected, long delivered, long lost, long duplicated, long extraOutcomes, long unexpected,
                            long foreign, long dropped, LatencySummary e2e, boolean finished, long untracked,
                            long releasedBelow, long unreported) {

    /** Ids confirmed sent with no outcome yet and not (yet) counted lost: expected − delivered − lost, ≥ 0. */
    public long overdue() {
        return Math.max(0, expected - delivered - lost);
    }

    /**
     * The cumulative counters: {@code expected}, {@code delivered}, {@code duplicated},
     * {@code extra_outcomes}, {@code unexpected}, {@code foreign}, {@code untracked}, {@code unreported}, {@code dropped};
     * and the gauges {@code lost_now} ({@link #lost()}: it goes back down when a late outcome
     * arrives, so it is a level, not a counter; final once {@code finished}) and {@code overdue_now}
     * ({@link #overdue()}).
     */
    public Map<String, Number> counterValues() {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("expected", expected);
        m.put("delivered", delivered);
        m.put("lost_now", lost);
        m.put("duplicated", duplicated);
        m.put("extra_outcomes", extraOutcomes);
        m.put("unexpected", unexpected);
        m.put("foreign", foreign);
        m.put("untracked", untracked);
        m.put("unreported", unreported);
        m.put("dropped", dropped);
        m.put("overdue_now", overdue());
        return m;
    }

    /** {@link #counterValues()} plus {@code finished}, {@code released_below} and {@code e2e_us}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(counterValues());
        m.put("finished", finished);
        m.put("released_below", releasedBelow);
        m.put("e2e_us", e2e.toMap());
        return m;
    }
}
