package io.stampede.loadgen.internal;

/** One ring slot, allocated once at start and overwritten for every message. */
public final class SendEvent {
    /** The body, filled by the pacer thread, or by the publisher when unpaced (see {@link PayloadFiller}). */
    public byte[] payload;
    /** The pool slot of {@link #payload}, or -1 for a fresh array. */
    public int poolSlot = -1;
    /** Index into the symbols/subjects, computed on the pacer thread (a long modulo is not free). */
    public int symbol;

    public long seq;
    public long intendedNanos;
    /** Intended send time of the original: a duplicate carries its original's {@code sent_at}. */
    public long sentAtNanos;
    public boolean duplicate;
    public ActiveSet active;
    /** The duplicate experiment a duplicate is sent for (the active set may have changed since). */
    public ActiveSet.Duplicates duplicateOf;

    public void set(long seq, long intendedNanos, long sentAtNanos, boolean duplicate, ActiveSet active,
                    ActiveSet.Duplicates duplicateOf) {
        this.seq = seq;
        this.intendedNanos = intendedNanos;
        this.sentAtNanos = sentAtNanos;
        this.duplicate = duplicate;
        this.active = active;
        this.duplicateOf = duplicateOf;
    }
}
