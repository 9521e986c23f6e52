package io.stampede.loadgen;

/**
 * The Disruptor wait strategy of the publishing threads. Default {@link #SLEEPING}: the pacer
 * (producer) never signals a lock or condition, which keeps its cost per message flat, and an
 * idle publisher spins briefly, yields, then parks ~50-100 µs, which leaves the CPU to the jnats
 * writer on a small machine. {@link #BUSY_SPIN} / {@link #YIELDING} lower the hand-off latency
 * at the price of a core each.
 */
public enum WaitStrategyKind {
    SLEEPING, YIELDING, BLOCKING, BUSY_SPIN
}
