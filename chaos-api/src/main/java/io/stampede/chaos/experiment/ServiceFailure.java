package io.stampede.chaos.experiment;

/** Crash (kill, then start again after duration_s) or hang (freeze, then thaw) a configured target. */
public record ServiceFailure(String service, FailureType failureType, int durationS) implements ExperimentSpec {
    public enum FailureType { CRASH, HANG }

    /** Two service_failure experiments conflict when they touch the same service: one at a time (else 409). */
    public boolean conflictsWith(ServiceFailure other) {
        return service != null && service.equals(other.service());
    }

    @Override
    public SpecType kind() {
        return SpecType.SERVICE_FAILURE;
    }
}
