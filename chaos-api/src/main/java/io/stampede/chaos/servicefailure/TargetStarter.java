package io.stampede.chaos.servicefailure;

import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.inject.ExperimentContext;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Brings a process target up when it is not running, the way a crash revert does (its start
 * command, then its health URL or pid file): {@code ./stampede up --system FILE} starts the
 * targets of a system file that are down, and leaves the running ones alone.
 */
public final class TargetStarter {
    private TargetStarter() {}

    /** What {@link #ensureRunning} found or did. */
    public record Outcome(boolean started, OptionalLong pid) {}

    /**
     * Starts {@code p} with its start command unless it already runs (its pid file names a matching
     * process, or its health URL answers 200); waits for it like a crash revert. Output of the
     * start command goes to {@code <logDir>/<name>-start.log}.
     *
     * @throws Exception the start command failed or the target did not come up within {@code timeoutMs}
     */
    public static Outcome ensureRunning(ProcessTarget p, Path logDir, long timeoutMs) throws Exception {
        if (p.healthUrl() != null && HealthUrls.answers200(p.healthUrl(), HealthUrls.PROBE_TIMEOUT_MS)) {
            return new Outcome(false, LocalProcesses.pidFromFile(p.pidFile()));
        }
        boolean started = new ProcessFailure(p, timeoutMs)
                .revert(new ExperimentContext("up", logDir, 1.0), FailureType.CRASH, null, new JsonObject());
        return new Outcome(started, LocalProcesses.pidFromFile(p.pidFile()));
    }
}
