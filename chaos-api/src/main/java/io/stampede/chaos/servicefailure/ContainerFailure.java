package io.stampede.chaos.servicefailure;

import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.inject.ExperimentContext;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Docker container: crash = {@code docker kill}, then start on revert; hang = pause, then
 * unpause. Token: {@code {kind: container, container, container_id}}.
 */
final class ContainerFailure implements FailureTarget {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerFailure.class);

    private final ContainerTarget c;
    private final DockerEngine docker;
    private final long startTimeoutMs;

    ContainerFailure(ContainerTarget c, DockerEngine docker, long startTimeoutMs) {
        this.c = c;
        this.docker = docker;
        this.startTimeoutMs = startTimeoutMs;
    }

    @Override
    public TargetConfig config() {
        return c;
    }

    @Override
    public JsonObject apply(FailureType type) throws Exception {
        JsonObject info = docker.inspect(c.container());
        if (info == null) {
            throw new TargetWasDownException(c.name(), "container '" + c.container() + "' does not exist");
        }
        JsonObject state = info.getJsonObject("State", new JsonObject());
        if (!state.getBoolean("Running", false) || state.getBoolean("Paused", false)) {
            throw new TargetWasDownException(c.name(), "container '" + c.container() + "' is "
                    + state.getString("Status", "not running"));
        }
        String id = info.getString("Id");
        JsonObject token = new JsonObject().put("kind", "container").put("container", c.container()).put("container_id", id);
        if (type == FailureType.CRASH) {
            docker.kill(id);
            awaitContainer(id, false, 10_000);
        } else {
            docker.pause(id);
            awaitPaused(id);
        }
        return token;
    }

    @Override
    public boolean revertMeasuresRecovery(FailureType type) {
        return false; // the injector's probe measures it
    }

    @Override
    public boolean revert(ExperimentContext ctx, FailureType type, JsonObject token, JsonObject stats) throws Exception {
        String id = token != null && token.getString("container_id") != null ? token.getString("container_id") : c.container();
        JsonObject info = docker.inspect(id);
        if (info == null) {
            LOG.warn("service_failure revert: container {} ({}) no longer exists, nothing to revert", c.container(), id);
            return false;
        }
        JsonObject state = info.getJsonObject("State", new JsonObject());
        if (state.getBoolean("Paused", false)) {
            // thawing is always safe, whatever the fault was
            unpauseTolerant(id);
            awaitUnpaused(id);
            return true;
        }
        if (type == FailureType.CRASH && !state.getBoolean("Running", false)) {
            docker.start(id);
            // done when it runs again; health (if configured) is measured apart as recovery_ms
            awaitContainer(id, true, c.healthTimeoutMs() > 0 ? c.healthTimeoutMs() : startTimeoutMs);
            return true;
        }
        return false;
    }

    /**
     * dockerd also sets Paused from containerd's events, which can arrive after the unpause call
     * answered; wait for the state to settle and thaw again if a late pause event won.
     */
    private void awaitUnpaused(String id) throws Exception {
        long start = System.nanoTime();
        boolean retried = false;
        while (true) {
            JsonObject info = docker.inspect(id);
            if (info == null || !info.getJsonObject("State", new JsonObject()).getBoolean("Paused", false)) {
                return;
            }
            long waited = (System.nanoTime() - start) / 1_000_000L;
            if (waited > 500 && !retried) {
                unpauseTolerant(id);
                retried = true;
            } else if (waited > 5_000) {
                throw new IOException("container " + id + " still reported paused 5 s after unpause");
            }
            Thread.sleep(10);
        }
    }

    /** The freezer is on when pause answers; the engine's state may lag behind it (late events). */
    private void awaitPaused(String id) throws Exception {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonObject info = docker.inspect(id);
            if (info == null || info.getJsonObject("State", new JsonObject()).getBoolean("Paused", false)) {
                return;
            }
            Thread.sleep(10);
        }
    }

    private void unpauseTolerant(String id) throws IOException {
        try {
            docker.unpause(id);
        } catch (DockerEngine.EngineException e) {
            JsonObject again = docker.inspect(id);
            if (again != null && again.getJsonObject("State", new JsonObject()).getBoolean("Paused", false)) {
                throw e;
            }
        }
    }

    private void awaitContainer(String id, boolean running, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            JsonObject info = docker.inspect(id);
            if (info == null || info.getJsonObject("State", new JsonObject()).getBoolean("Running", false) == running) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("container " + id + " still " + (running ? "stopped" : "running") + " after "
                        + timeoutMs + " ms");
            }
            Thread.sleep(5);
        }
    }
}
