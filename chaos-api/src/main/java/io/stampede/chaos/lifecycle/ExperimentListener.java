package io.stampede.chaos.lifecycle;

import io.stampede.reports.Verdict;

/**
 * What happens to an experiment, for those who act on it (its verdict, the baseline's tagging, a
 * plan's run record). Given to the lifecycle at construction; called on the lifecycle's threads
 * (never on the event loop), outside the experiment's transition lock for {@link #ended}.
 */
public interface ExperimentListener {
    ExperimentListener NONE = new ExperimentListener() { };

    /** Its fault was applied. */
    default void applied(Experiment e) {}

    /**
     * Its fault is reverted (or it never started) and it is about to be shown ended: called under
     * its transition lock, so whatever a reader does after seeing the end happens after this.
     */
    default void reverted(Experiment e) {}

    /** It ended: its fault reverted, or it never started. */
    default void ended(Experiment e) {}

    /** Its verdict turned final ({@code verdict}; its run directory is finished). */
    default void verdictFinal(Experiment e, Verdict verdict) {}

}
