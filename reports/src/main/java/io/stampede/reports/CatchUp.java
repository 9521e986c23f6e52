package io.stampede.reports;

import java.util.List;

/**
 * The catch-up time of the {@code catch_up} criterion, from per-second samples after a fault:
 * the first second at or after the fault's end in which nothing is overdue and the decisions rate
 * is within 10 % of the rate being sent that second.
 */
public final class CatchUp {
    /** Tolerance of the decisions rate around the send rate. */
    public static final double RATE_TOLERANCE = 0.10;

    /** One second of observation: ids overdue at {@code tsMs}, messages sent and decisions received in that second (per second). */
    public record Sample(long tsMs, long overdue, double sentPerS, double decisionsPerS) {}

    /** {@code catchUpS} null when not caught up within {@code observedAfterS} (pass both to {@link Observation.Builder#catchUp}). */
    public record Result(Double catchUpS, double observedAfterS) {}

    private CatchUp() {}

    public static Result of(long faultEndMs, List<Sample> samples) {
        double observed = 0;
        for (Sample s : samples) {
            if (s.tsMs() < faultEndMs) {
                continue;
            }
            double after = (s.tsMs() - faultEndMs) / 1000.0;
            observed = Math.max(observed, after);
            if (s.overdue() == 0 && Math.abs(s.decisionsPerS() - s.sentPerS()) <= RATE_TOLERANCE * s.sentPerS()) {
                return new Result(after, observed);
            }
        }
        return new Result(null, observed);
    }
}
