package io.stampede.chaos.servicefailure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stampede.chaos.inject.ExperimentContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDemoStackUnderTheLauncher() {
        TargetsConfig cfg = TargetsConfig.load(Map.of("STAMPEDE_HOME", "/opt/stampede"));

        assertThat(cfg.valid()).isTrue();
        assertThat(cfg.targets().keySet()).containsExactly("gateway", "agent");
        assertThat(cfg.get("gateway")).isEqualTo(new ProcessTarget("gateway", Path.of("/opt/stampede/var/run/gateway.pid"),
                List.of("/opt/stampede/stampede", "start", "gateway"), URI.create("http://127.0.0.1:8001/healthz")));
        assertThat(cfg.get("agent").healthUrl()).isEqualTo(URI.create("http://127.0.0.1:8002/healthz"));
    }

    @Test
    void theLauncherVariableWinsOverTheHomeDirectory() {
        TargetsConfig cfg = TargetsConfig.defaults(Map.of("STAMPEDE_HOME", "/opt/s", "STAMPEDE_LAUNCHER", "/usr/bin/stampede"));

        assertThat(((ProcessTarget) cfg.get("agent")).startCommand()).containsExactly("/usr/bin/stampede", "start", "agent");
        assertThat(((ProcessTarget) cfg.get("agent")).pidFile()).isEqualTo(Path.of("/opt/s/var/run/agent.pid"));
    }

    @Test
    void parsesContainersAndProcessesFromTheFileNamedByTheEnvironment() throws Exception {
        Path file = dir.resolve("targets.json");
        Files.writeString(file, """
                {"targets": {
                  "gateway": {"type": "container", "container": "stampede-gateway-1",
                              "health_url": "http://127.0.0.1:8001/healthz"},
                  "agent": {"type": "process", "pid_file": "${STAMPEDE_HOME}/run/agent.pid",
                            "start_command": ["/srv/agent/run.sh", "--port", "8002"],
                            "health_url": "http://127.0.0.1:8002/healthz"},
                  "worker": {"type": "process"}
                }}""");

        TargetsConfig cfg = TargetsConfig.load(Map.of("STAMPEDE_TARGETS_FILE", file.toString(), "STAMPEDE_HOME", "/h"));

        assertThat(cfg.problems()).isEmpty();
        assertThat(cfg.get("gateway")).isEqualTo(new ContainerTarget("gateway", "stampede-gateway-1",
                URI.create("http://127.0.0.1:8001/healthz")));
        assertThat(cfg.get("agent")).isEqualTo(new ProcessTarget("agent", Path.of("/h/run/agent.pid"),
                List.of("/srv/agent/run.sh", "--port", "8002"), URI.create("http://127.0.0.1:8002/healthz")));
        assertThat(cfg.get("worker")).as("launcher conventions fill a bare process").isEqualTo(new ProcessTarget("worker",
                Path.of("/h/var/run/worker.pid"), List.of("/h/stampede", "start", "worker"), null));
    }

    @Test
    void validationReportsEveryProblem() {
        TargetsConfig cfg = TargetsConfig.parse("""
                {"targets": {
                  "a": {"type": "container", "health_url": "ftp://x/"},
                  "b": {"type": "vm"},
                  "c": {"type": "process", "pid_file": "relative.pid", "start_command": [], "colour": "red"},
                  "D d": {"type": "container", "container": "x", "health_url": "http://127.0.0.1:1/$NOPE"}
                }}""", Map.of());

        assertThat(cfg.valid()).isFalse();
        assertThat(cfg.problems()).containsExactlyInAnyOrder(
                "targets.a.container: required (container name or id)",
                "targets.a.health_url: must be an absolute http:// URL: ftp://x/",
                "targets.b.type: must be \"container\" or \"process\", got vm",
                "targets.c.colour: unknown key (known: health_timeout_s, health_url, match, pid_file, start_command, type)",
                "targets.c.pid_file: must be an absolute path: relative.pid",
                "targets.c.start_command: required (a non-empty list of arguments)",
                "targets.D d: name must match [a-z0-9][a-z0-9_-]*",
                "targets.D d.health_url: environment variable NOPE is not set");
    }

    @Test
    void aMissingFileOrBadJsonIsAProblemNotAnException() {
        assertThat(TargetsConfig.load(Map.of("STAMPEDE_TARGETS_FILE", dir.resolve("none.json").toString())).problems())
                .singleElement().asString().startsWith("STAMPEDE_TARGETS_FILE: cannot read");
        assertThat(TargetsConfig.parse("[1]", Map.of()).valid()).isFalse();
        assertThat(TargetsConfig.parse("{\"targets\": {}}", Map.of()).problems())
                .containsExactly("targets: at least one target is required");
    }

    @Test
    void theInjectorRejectsUnknownServicesAndInvalidConfig() {
        ServiceFailureInjector injector = new ServiceFailureInjector(TargetsConfig.defaults(Map.of()),
                new DockerEngine(DockerEngine.DEFAULT_SOCKET));
        try {
            assertThatThrownBy(() -> injector.apply(new ExperimentContext("chaos_service_failure_1", null, 1.0),
                    new io.stampede.chaos.experiment.ServiceFailure("db", io.stampede.chaos.experiment.ServiceFailure.FailureType.CRASH, 5)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown service_failure target 'db'; configured: gateway, agent");
        } finally {
            injector.close();
        }
    }
}
