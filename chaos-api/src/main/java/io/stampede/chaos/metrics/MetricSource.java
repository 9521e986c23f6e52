package io.stampede.chaos.metrics;

/**
 * One thing the chaos API turns into Prometheus series (targets' CPU and memory, nats-server's
 * monitoring endpoints, the experiments). Called on the sampler's own thread, never on an event
 * loop: it may block (Docker socket, HTTP, /proc) but should answer within a second or two.
 */
interface MetricSource {
    /** Adds this round's series; a failure is reported as an {@code *_up} gauge of 0, not thrown. */
    void sample(Families out);
}
