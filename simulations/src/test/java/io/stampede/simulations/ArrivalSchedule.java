package io.stampede.simulations;

/**
 * When the k-th user (0-based) of an open-model injection was meant to arrive: a linear ramp
 * from {@code r0} to {@code rps} over {@code rampS}, then a constant {@code rps}. Gatling spaces
 * users of a non-randomized rate evenly, so this is the intended send time that response times
 * are measured from (no coordinated omission when Gatling or the target falls behind).
 */
public final class ArrivalSchedule {
    private final double r0;
    private final double rps;
    private final double rampS;
    private final double rampUsers;

    public ArrivalSchedule(double rampStartRps, double rps, double rampS) {
        this.r0 = rampS > 0 ? rampStartRps : rps;
        this.rps = rps;
        this.rampS = rampS;
        this.rampUsers = rampS > 0 ? (r0 + rps) / 2 * rampS : 0;
    }

    /** Seconds after the start at which user k was due. */
    public double intendedOffsetS(long k) {
        if (k < rampUsers) {
            // N(t) = r0 t + (rps - r0) t^2 / (2 rampS); solve N(t) = k for t.
            double a = (rps - r0) / (2 * rampS);
            if (a == 0) {
                return k / r0;
            }
            return (-r0 + Math.sqrt(r0 * r0 + 4 * a * k)) / (2 * a);
        }
        return rampS + (k - rampUsers) / rps;
    }

    /** Seconds at which the steady (measured) phase starts. */
    public double steadyStartS() {
        return rampS;
    }

    public long rampUsers() {
        return (long) Math.ceil(rampUsers);
    }
}
