package io.stampede.loadgen.internal;

/** Told when an original is confirmed handed over (core) or stored (JetStream ack). */
@FunctionalInterface
public interface SentListener {
    SentListener NONE = seq -> { };

    void sent(long seq);
}
