package io.stampede.loadgen;

/** What a re-published message looks like. */
public enum DuplicateMode {
    /**
     * An upstream retry: same business id (body {@code id} and header {@code Stampede-Msg-Id}) but
     * no {@code Nats-Msg-Id}, so it passes the stream and tests the consumer's idempotency.
     */
    APP,
    /** Same {@code Nats-Msg-Id} as the original: tests the stream's duplicate window. */
    STREAM
}
