package io.stampede.loadgen;

/**
 * The live controls and figures of running traffic, whoever publishes it: one {@link
 * LoadGenerator} in this process, or load agents driven by a coordinator
 * ({@code agent.AgentControls}). The chaos API's baseline acts on this, so its experiments and
 * verdicts are the same either way.
 *
 * <p>A generator's controls never block; an agent-backed one sends the new state to every agent
 * and returns once they applied it (a request round, ~15 ms): call them off event loops.
 */
public interface LoadControls {
    void addMultiplier(String experimentId, double multiplier);

    boolean removeMultiplier(String experimentId);

    void addDuplicates(String experimentId, double rate, long delayMs, DuplicateMode mode);

    boolean removeDuplicates(String experimentId);

    /** Originals carry {@code experimentId} in {@code Stampede-Experiment} from now until {@link #untag}. */
    void tag(String experimentId);

    boolean untag(String experimentId);

    /** Baseline × active multipliers, capped. */
    double currentRate();

    LoadStats stats();

    /** Drops an experiment's per-experiment counters; whether there were any. */
    boolean forget(String experimentId);

    /** The delivery verifier (its windows are what verdicts count), or null. */
    DeliveryVerifier verifier();
}
