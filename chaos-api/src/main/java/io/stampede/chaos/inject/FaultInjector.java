package io.stampede.chaos.inject;

import io.stampede.chaos.experiment.ExperimentSpec;
import io.vertx.core.json.JsonObject;

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

    /** Live figures for {@code GET /experiments/{id}}; cheap and non-blocking. */
    default JsonObject stats(ExperimentContext ctx) {
        return new JsonObject();
    }

    /** Release resources at shutdown, after every experiment was reverted. */
    default void close() {}
}
