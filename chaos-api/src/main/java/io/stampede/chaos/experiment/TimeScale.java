package io.stampede.chaos.experiment;

import java.time.Duration;

/**
 * The server's time scale (1.0 in production; tests shrink every duration_s, start_after_s and
 * guardrail window by it). This is the one place a duration is scaled: the lifecycle hands
 * injectors already-scaled durations.
 */
public record TimeScale(double factor) {
    public static final TimeScale REAL = new TimeScale(1.0);

    public TimeScale {
        if (!(factor > 0) || factor > 1000) {
            throw new IllegalArgumentException("time scale must be > 0 and <= 1000, got " + factor);
        }
    }

    /** {@code seconds} of experiment time as wall-clock time. */
    public Duration of(double seconds) {
        return Duration.ofNanos(Math.round(seconds * factor * 1e9));
    }

    /** Whole seconds for a child process that only takes seconds, rounded up to at least 1. */
    public long wholeSeconds(double seconds) {
        return Math.max(1, (long) Math.ceil(seconds * factor));
    }
}
