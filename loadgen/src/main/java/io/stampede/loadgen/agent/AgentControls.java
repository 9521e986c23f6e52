package io.stampede.loadgen.agent;

import io.stampede.loadgen.DeliveryVerifier;
import io.stampede.loadgen.DuplicateMode;
import io.stampede.loadgen.LoadControls;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.LoadStats;

/**
 * A {@link Coordinator} as {@link LoadControls}: each control is pushed to every agent (the whole
 * {@code ControlState}, applied before they answer). An interrupted push keeps the interrupt flag
 * and says so with an {@link IllegalStateException}.
 */
public final class AgentControls implements LoadControls {
    private final Coordinator c;

    public AgentControls(Coordinator c) {
        this.c = c;
    }

    public Coordinator coordinator() {
        return c;
    }

    private interface Push {
        void run() throws InterruptedException;
    }

    private static void push(Push p) {
        try {
            p.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pushing controls to the agents");
        }
    }

    @Override
    public void addMultiplier(String experimentId, double multiplier) {
        LoadGenConfig.requireMultiplier(multiplier);
        push(() -> c.addMultiplier(experimentId, multiplier));
    }

    @Override
    public boolean removeMultiplier(String experimentId) {
        boolean had = c.controls().multipliers().containsKey(experimentId);
        if (had) {
            push(() -> c.removeMultiplier(experimentId));
        }
        return had;
    }

    @Override
    public void addDuplicates(String experimentId, double rate, long delayMs, DuplicateMode mode) {
        push(() -> c.addDuplicates(experimentId, rate, delayMs, mode));
    }

    @Override
    public boolean removeDuplicates(String experimentId) {
        boolean had = c.controls().duplicates().containsKey(experimentId);
        if (had) {
            push(() -> c.removeDuplicates(experimentId));
        }
        return had;
    }

    @Override
    public void tag(String experimentId) {
        push(() -> c.tag(experimentId));
    }

    @Override
    public boolean untag(String experimentId) {
        boolean had = c.controls().tags().contains(experimentId);
        if (had) {
            push(() -> c.untag(experimentId));
        }
        return had;
    }

    @Override
    public double currentRate() {
        return c.currentRate();
    }

    @Override
    public LoadStats stats() {
        return c.stats();
    }

    /** Agents keep no per-experiment counters: nothing to drop. */
    @Override
    public boolean forget(String experimentId) {
        return false;
    }

    @Override
    public DeliveryVerifier verifier() {
        return c.verifier();
    }
}
