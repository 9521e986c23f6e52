package io.stampede.chaos.servicefailure;

import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.inject.ExperimentContext;
import io.vertx.core.json.JsonObject;

/**
 * How {@code service_failure} crashes or freezes one kind of target, and undoes it:
 * {@link ContainerFailure} (docker kill / pause) or {@link ProcessFailure} (SIGKILL / SIGSTOP). The
 * {@link ServiceFailureInjector} in front keeps what is common: one fault per service, the
 * experiment's figures, the recovery probe.
 */
interface FailureTarget {

    /** The configured target this acts on. */
    TargetConfig config();

    /**
     * Crashes or freezes the target. Returns what a revert in a new process needs ({@code kind} and
     * the container id or the process identity).
     *
     * @throws TargetWasDownException the target was not running (or already frozen): nothing was done
     */
    JsonObject apply(FailureType type) throws Exception;

    /**
     * Undoes the fault, from the token alone or, when it is null (a crash during apply), from the
     * configuration. Idempotent; thawing is always safe. Adds {@code target_lost} and
     * {@code recovery_ms} to {@code stats} when it sees them.
     *
     * @return whether anything was changed (false: nothing left to undo)
     */
    boolean revert(ExperimentContext ctx, FailureType type, JsonObject token, JsonObject stats) throws Exception;

    /** Whether a revert of {@code type} waits for the target to be back and so measures its recovery itself. */
    boolean revertMeasuresRecovery(FailureType type);
}
