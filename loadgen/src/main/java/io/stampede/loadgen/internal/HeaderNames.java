package io.stampede.loadgen.internal;

/** Header names Stampede writes. */
public final class HeaderNames {
    public static final String EXPERIMENT = "Stampede-Experiment";
    /** The business id of an app-mode duplicate (it must not carry Nats-Msg-Id). */
    public static final String MESSAGE_ID = "Stampede-Msg-Id";
    /** Marks a re-published message: value is the duplicate experiment id. */
    public static final String DUPLICATE = "Stampede-Duplicate";
    public static final String NATS_MSG_ID = "Nats-Msg-Id";

    private HeaderNames() {}
}
