package io.stampede.loadgen.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a send slot: parks until {@code spinNanos} before the deadline (in steps of at most
 * 1 ms, so a control change is seen within a millisecond), then spins. Returns early when the
 * generation of the watched {@link Controls} changes.
 */
public final class Pacer {
    private static final long MAX_PARK_NANOS = 1_000_000;
    private final long spinNanos;

    public Pacer(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    /** @return true when the deadline was reached, false when the controls changed first */
    public boolean awaitUntil(long deadlineNanos, Controls controls, ActiveSet seen) {
        while (true) {
            if (controls != null && (controls.current() != seen || !controls.running())) {
                return false;
            }
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                return true;
            }
            if (remaining > spinNanos) {
                LockSupport.parkNanos(Math.min(remaining - spinNanos, MAX_PARK_NANOS));
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
