package io.stampede.loadgen;

/** How messages are handed to NATS. */
public enum PublishMode {
    /** Core NATS publish: fire-and-forget, fastest; no acks. */
    CORE,
    /** JetStream async publish: acks counted, outstanding acks bounded, {@code Nats-Msg-Id} set. */
    JETSTREAM
}
