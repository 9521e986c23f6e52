package io.stampede.reports;

/**
 * Message integrity counts of a verdict (distinct message ids unless said otherwise).
 *
 * @param expected    ids sent that this run answers for
 * @param delivered   of those, ids with at least one outcome
 * @param lost        ids without an outcome once the verdict is final (always 0 in a live verdict)
 * @param duplicated  ids with more than one outcome (processed twice)
 * @param overdue     ids without an outcome yet in a live verdict (always 0 in a final one)
 * @param unexpected  outcomes for ids never sent
 * @param republished messages re-published on purpose (duplicate injection, upstream retries)
 */
public record Integrity(long expected, long delivered, long lost, long duplicated, long overdue, long unexpected,
                        long republished) {
    public static final Integrity NONE = new Integrity(0, 0, 0, 0, 0, 0, 0);

    public Integrity plus(Integrity o) {
        return new Integrity(expected + o.expected, delivered + o.delivered, lost + o.lost,
                duplicated + o.duplicated, overdue + o.overdue, unexpected + o.unexpected,
                republished + o.republished);
    }
}
