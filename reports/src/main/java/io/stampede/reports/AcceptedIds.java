package io.stampede.reports;

import java.util.Arrays;

/**
 * One line of {@code accepted.jsonl}: the requests of a load test that the target answered 202 in
 * one interval, as sequence numbers. The request with sequence number {@code n} carried the id
 * {@code <idPrefix>-<n as 10 digits, zero-padded>} (the loadgen's {@code SignalIds} format), so a
 * delivery verifier can match each outcome to one accepted request with bit sets.
 *
 * @param tsMs     epoch ms of the interval's end
 * @param idPrefix the ids' prefix (the experiment id)
 * @param seqs     sequence numbers accepted in the interval, each at most once in the file
 */
public record AcceptedIds(long tsMs, String idPrefix, long[] seqs) {
    public AcceptedIds {
        seqs = seqs.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AcceptedIds a && a.tsMs == tsMs && a.idPrefix.equals(idPrefix) && Arrays.equals(a.seqs, seqs);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(tsMs) * 31 + Arrays.hashCode(seqs);
    }

    @Override
    public String toString() {
        return "AcceptedIds[" + tsMs + ", " + idPrefix + ", " + seqs.length + " seqs]";
    }
}
