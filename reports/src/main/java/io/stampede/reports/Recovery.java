package io.stampede.reports;

/**
 * What the verdict knows about recovery; every field is {@code null} when it was not observed.
 *
 * @param targetHealthy    the fault's target answered healthy after the fault
 * @param catchUpS         seconds from the fault's end until overdue reached 0 and the decisions
 *                         rate was back within 10 % of the send rate; {@code null} if that did not
 *                         happen (yet)
 * @param observedAfterS   how long after the fault's end the run was observed, seconds
 * @param decisionsDuring  ids decided (first outcome) while the fault was applied, whichever
 *                         window they were sent in
 * @param decisionsAfter   ids decided (first outcome) after the fault's end; each id counts in one
 *                         of the two at most
 */
public record Recovery(Boolean targetHealthy, Double catchUpS, Double observedAfterS, Long decisionsDuring,
                       Long decisionsAfter) {
    public static final Recovery NONE = new Recovery(null, null, null, null, null);
}
