package io.stampede.chaos.servicefailure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerEngineTest {
    @TempDir
    Path dir;

    @Test
    void noEngineIsAClearIoError() {
        DockerEngine none = new DockerEngine(dir.resolve("no-docker.sock"));
        assertThatThrownBy(none::apiVersion).isInstanceOf(IOException.class);
    }

    @Test
    void unknownContainersAreNullOnInspectAndEngineErrorsOnActions() throws Exception {
        DockerEngine engine = TestDocker.requireEngine();
        String missing = "stampede-no-such-container-" + System.nanoTime();

        assertThat(engine.inspect(missing)).isNull();
        assertThatThrownBy(() -> engine.pause(missing))
                .isInstanceOfSatisfying(DockerEngine.EngineException.class, e -> assertThat(e.status).isEqualTo(404))
                .hasMessageContaining("pause " + missing);
    }
}
