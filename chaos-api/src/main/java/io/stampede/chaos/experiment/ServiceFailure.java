package io.stampede.chaos.experiment;

/** Crash (kill, then start again after duration_s) or hang (freeze, then thaw) a configured target. */
public record ServiceFailure(String service, FailureType failureType, int durationS) implements ExperimentSpec {
    public static final String TYPE = "service_failure";

    public enum FailureType { CRASH, HANG }

    @Override
    public String type() {
        return TYPE;
    }
}
