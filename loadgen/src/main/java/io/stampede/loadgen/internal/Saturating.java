package io.stampede.loadgen.internal;

import java.time.Duration;

/**
 * Saturating long arithmetic for schedule times (nanoTime values) and for user-supplied doubles
 * that become nanos: results clamp at {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE} instead of
 * wrapping, so "very far in the future" stays in the future. {@code Long.MAX_VALUE} as a due time
 * means "never".
 */
public final class Saturating {
    private Saturating() {
    }

    /** a + b, clamped to the long range. */
    public static long add(long a, long b) {
        long r = a + b;
        // overflow iff both operands have the same sign and the result's sign differs
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /**
     * A non-negative double amount of nanos as a long: NaN and negatives give 0 (callers validate
     * first; this only guarantees no garbage), anything at or above 2^63 gives {@code Long.MAX_VALUE}.
     */
    public static long nanos(double nanos) {
        if (!(nanos > 0)) {
            return 0;
        }
        return nanos >= 0x1p63 ? Long.MAX_VALUE : (long) nanos;
    }

    /**
     * The due time of message {@code k} of a schedule anchored at {@code anchor} with
     * {@code nanosPer} between messages: {@code anchor + k·nanosPer}, never wrapping; an infinite
     * or NaN interval (paused) gives {@code Long.MAX_VALUE}.
     */
    public static long due(long anchor, long k, double nanosPer) {
        if (!(nanosPer < Double.POSITIVE_INFINITY)) {
            return Long.MAX_VALUE;
        }
        return add(anchor, nanos(k * nanosPer));
    }

    /** {@link Duration#toNanos()} without its ArithmeticException above ~292 years; null or negative gives 0. */
    public static long nanos(Duration d) {
        if (d == null || d.isNegative()) {
            return 0;
        }
        if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE;
        }
        return d.toNanos();
    }

    /** Milliseconds from a double number of seconds (CLI options): NaN gives 0, clamped to the long range. */
    public static long millisFromSeconds(double seconds) {
        if (Double.isNaN(seconds)) {
            return 0;
        }
        return Math.round(seconds * 1000); // Math.round already clamps ±infinity and huge values
    }
}
