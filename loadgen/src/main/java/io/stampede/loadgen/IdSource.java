package io.stampede.loadgen;

/** Where the verifier finds a business id in an outcome message. */
public enum IdSource {
    /** A top-level string field of the JSON body (default {@code id}). */
    JSON_FIELD,
    /** A message header (e.g. {@code Nats-Msg-Id}). */
    HEADER
}
