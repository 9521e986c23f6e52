package io.stampede.loadgen.internal;

/**
 * Converts {@link System#nanoTime()} readings to epoch microseconds without a syscall per call.
 * Calibrated once per JVM: the pacer schedules in nanoTime (monotonic) and payloads carry the
 * intended send time as epoch micros so another process can compute end-to-end latency.
 */
public final class EpochClock {
    private static final long BASE_NANO;
    private static final long BASE_EPOCH_MICROS;

    static {
        java.time.Instant now = java.time.Instant.now();
        BASE_NANO = System.nanoTime();
        BASE_EPOCH_MICROS = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private EpochClock() {}

    public static long epochMicros(long nanoTime) {
        return BASE_EPOCH_MICROS + (nanoTime - BASE_NANO) / 1_000;
    }

    public static long nowEpochMicros() {
        return epochMicros(System.nanoTime());
    }
}
