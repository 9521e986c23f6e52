package io.stampede.chaos.inject;

import io.stampede.chaos.experiment.ExperimentSpec;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One fault type. The lifecycle (scheduler, journal, API) calls these methods on a worker
 * thread, never on the event loop, so they may block (Docker, processes, sockets).
 *
 * <p>Crash safety: {@link #apply} returns a revert token (whatever {@link #revert} needs, e.g. a
 * container id, a pid, a proxy fault id) which the journal stores. After a crash of the chaos API
 * the next process calls {@code revert} with the spec and that token, or with {@code null} when
 * the crash came during apply, so revert must be idempotent and safe after a partial apply.
 *
 * @param <S> the experiment type this injector serves
 */
public interface FaultInjector<S extends ExperimentSpec> {

    Class<S> specType();

    /** Applies the fault; returns the revert token (never null, may be empty). */
    JsonObject apply(ExperimentContext ctx, S spec) throws Exception;

    /** Undoes the fault. Idempotent; {@code token} is null when apply may have been partial. */
    void revert(ExperimentContext ctx, S spec, JsonObject token) throws Exception;

    /** Live figures for {@code GET /experiments/{id}} and the verdict; cheap and non-blocking. */
    default FaultStats stats(ExperimentContext ctx) {
        return FaultStats.empty();
    }

    /**
     * Why this injector cannot act right now (e.g. baseline traffic is switched off), or null.
     * Checked before anything is created, so the client gets a 409 naming the reason instead of
     * an experiment that fails at once.
     */
    default String unavailable() {
        return null;
    }

    /** As {@link #unavailable()}, for this request (an injector may serve some requests and not others). */
    default String unavailable(S spec) {
        return unavailable();
    }

    /**
     * For faults that end by themselves (a load_test's simulation exits when its run is over):
     * completes with how it ended, and the experiment ends then, with {@code completed} or
     * {@code failed}. Empty for faults that only end on their timer.
     */
    default Optional<CompletionStage<Ending>> ending(ExperimentContext ctx) {
        return Optional.empty();
    }

    /**
     * How long after {@code duration_s} the lifecycle waits for {@link #ending} before it reverts
     * anyway (a simulation still writes its report after its last request).
     */
    default Duration endingGrace() {
        return Duration.ZERO;
    }

    /** How a self-ending fault ended: {@code ok} maps to completed, otherwise failed with the reason. */
    record Ending(boolean ok, String reason) {}

    /** Release resources at shutdown, after every experiment was reverted. */
    default void close() {}
}
