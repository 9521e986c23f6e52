package io.stampede.chaos.servicefailure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.experiment.ServiceFailure.FailureType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.testkit.Await;
import io.stampede.testkit.FreePorts;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** service_failure against a real container on the real Docker engine. */
class ContainerServiceFailureTest {
    @TempDir
    Path runDir;

    private DockerEngine engine;
    private String name;
    private int port;
    private ServiceFailureInjector injector;
    private ExperimentContext ctx;

    @BeforeEach
    void startContainer() throws Exception {
        engine = TestDocker.requireEngine();
        TestDocker.ensureImage();
        name = "stampede-target-test-" + System.nanoTime();
        port = FreePorts.next();
        TestDocker.runHttpServer(name, port);
        awaitAnswers();
        injector = newInjector();
        ctx = new ExperimentContext("chaos_service_failure_" + System.nanoTime(), runDir, 1.0);
    }

    @AfterEach
    void removeContainer() {
        if (injector != null) {
            injector.close();
        }
        TestDocker.forceRemove(name);
    }

    private ServiceFailureInjector newInjector() {
        TargetsConfig cfg = new TargetsConfig(Map.of("web", new ContainerTarget("web", name,
                URI.create("http://127.0.0.1:" + port + "/"))), List.of());
        return new ServiceFailureInjector(cfg, engine);
    }

    private void awaitAnswers() {
        Await.until("container HTTP server answers", Duration.ofSeconds(10),
                () -> Probes.get(port, "/", 1000) == Probes.Seen.ANSWERS);
    }

    private JsonObject state() throws Exception {
        return engine.inspect(name).getJsonObject("State");
    }

    @Test
    void engineApiVersionIsNegotiatedNotHardCoded() throws Exception {
        assertThat(engine.apiVersion()).matches("1\\.\\d+");
    }

    @Test
    void crashKillsTheContainerAndRevertStartsItAgain() throws Exception {
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);
        JsonObject token = injector.apply(ctx, spec);

        assertThat(token.getString("kind")).isEqualTo("container");
        assertThat(token.getString("container_id")).isEqualTo(engine.inspect(name).getString("Id"));
        assertThat(state().getBoolean("Running")).isFalse();
        assertThat(state().getString("Status")).isEqualTo("exited");
        assertThat(Probes.get(port, "/", 1000)).isEqualTo(Probes.Seen.REFUSED);

        injector.revert(ctx, spec, token);
        assertThat(state().getBoolean("Running")).isTrue();
        awaitAnswers();
        Await.until("recovery_ms recorded", Duration.ofSeconds(10), () -> injector.stats(ctx).json().containsKey("recovery_ms"));
        JsonObject stats = injector.stats(ctx).json();
        assertThat(stats.getBoolean("target_was_down")).isFalse();
        assertThat(stats.getString("applied_at")).isNotNull();
        assertThat(stats.getString("reverted_at")).isNotNull();
        assertThat(stats.getLong("recovery_ms")).isBetween(0L, 10_000L);

        injector.revert(ctx, spec, token); // idempotent
        assertThat(state().getBoolean("Running")).isTrue();
    }

    @Test
    void hangPausesTheContainerSoReadsTimeOutAndRevertThawsIt() throws Exception {
        ServiceFailure spec = new ServiceFailure("web", FailureType.HANG, 1);
        JsonObject token = injector.apply(ctx, spec);

        assertThat(state().getBoolean("Paused")).isTrue();
        assertThat(Probes.get(port, "/", 700)).isEqualTo(Probes.Seen.FROZEN);

        injector.revert(ctx, spec, token);
        assertThat(state().getBoolean("Paused")).isFalse();
        awaitAnswers();
        Await.until("recovery_ms recorded", Duration.ofSeconds(10), () -> injector.stats(ctx).json().containsKey("recovery_ms"));
        injector.revert(ctx, spec, token); // idempotent
        assertThat(state().getBoolean("Running")).isTrue();
    }

    @Test
    void aTargetAlreadyDownIsReportedAndLeftDown() throws Exception {
        engine.kill(name);
        Await.until("container exited", Duration.ofSeconds(5), () -> {
            try {
                return !state().getBoolean("Running");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        ServiceFailure spec = new ServiceFailure("web", FailureType.CRASH, 1);

        assertThatThrownBy(() -> injector.apply(ctx, spec))
                .isInstanceOf(TargetWasDownException.class)
                .hasMessageContaining("'web' was already down");
        assertThat(injector.stats(ctx).json().getBoolean("target_was_down")).isTrue();

        injector.revert(ctx, spec, null);
        assertThat(state().getBoolean("Running")).as("revert must not start a target that was down").isFalse();
        assertThat(injector.activeExperiment("web")).isEmpty();
    }

    @Test
    void aFreshInjectorRevertsFromTheTokenAloneOrWithoutOne() throws Exception {
        ServiceFailure spec = new ServiceFailure("web", FailureType.HANG, 1);
        JsonObject token = injector.apply(ctx, spec);
        assertThat(state().getBoolean("Paused")).isTrue();
        injector.close();

        // as after a kill -9 of the chaos API: a new process with only the journaled token
        injector = newInjector();
        injector.revert(ctx, spec, new JsonObject(token.encode()));
        assertThat(state().getBoolean("Paused")).isFalse();
        awaitAnswers();

        // a crash during apply leaves no token: revert by target name still thaws it
        injector.apply(new ExperimentContext("chaos_service_failure_2", runDir, 1.0), spec);
        assertThat(state().getBoolean("Paused")).isTrue();
        injector.close();
        injector = newInjector();
        injector.revert(new ExperimentContext("chaos_service_failure_2", runDir, 1.0), spec, null);
        assertThat(state().getBoolean("Paused")).isFalse();
        awaitAnswers();
    }

    @Test
    void oneFaultPerServiceAtATime() throws Exception {
        ServiceFailure spec = new ServiceFailure("web", FailureType.HANG, 1);
        JsonObject token = injector.apply(ctx, spec);
        assertThat(injector.activeExperiment("web")).contains(ctx.experimentId());
        assertThat(spec.conflictsWith(new ServiceFailure("web", FailureType.CRASH, 5))).isTrue();
        assertThatThrownBy(() -> injector.apply(new ExperimentContext("other", runDir, 1.0), spec))
                .isInstanceOf(IllegalStateException.class);
        injector.revert(ctx, spec, token);
        assertThat(injector.activeExperiment("web")).isEmpty();
    }
}
