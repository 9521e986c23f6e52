package io.stampede.chaos;

import io.stampede.chaos.inject.Injectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The chaos API in-process on an ephemeral port, with recording injectors and its own data dir. */
public final class ApiFixture implements AutoCloseable {
    public final Path dataDir;
    public final Path recordingDir;
    public final ChaosApiMain api;
    public final ApiClient client;
    public final ChaosConfig config;

    private ApiFixture(ChaosConfig config, ChaosApiMain api, Path dataDir, Path recordingDir) {
        this.dataDir = dataDir;
        this.recordingDir = recordingDir;
        this.config = config;
        this.api = api;
        this.client = new ApiClient(api.port());
    }

    private ApiFixture(ChaosConfig config, Injectors injectors, Path dataDir, Path recordingDir) {
        this(config, ChaosApiMain.start(config, injectors).toCompletionStage().toCompletableFuture().join(), dataDir, recordingDir);
    }

    /** The chaos API as {@code java -jar} runs it: the default injectors, and the baseline traffic when {@code config} has it on. */
    public static ApiFixture startDefault(ChaosConfig config) {
        return new ApiFixture(config, ChaosApiMain.start(config).toCompletionStage().toCompletableFuture().join(),
                config.dataDir(), config.dataDir());
    }

    /**
     * POSTs {@code body} until it is accepted and returns its experiment id: backpressure and
     * duplicate_messages answer 409 until the baseline traffic runs (in this process or on its
     * agents); any other answer fails.
     */
    public String postWhenBaselineRuns(String body, java.time.Duration timeout) {
        String[] id = new String[1];
        io.stampede.testkit.Await.until("baseline accepts " + body, timeout, () -> {
            ApiClient.Response r = client.postJson("/experiments", body);
            if (r.status() == 201) {
                id[0] = r.json().getString("experiment_id");
                return true;
            }
            org.assertj.core.api.Assertions.assertThat(r.status()).as(r.body()).isEqualTo(409);
            return false;
        });
        return id[0];
    }

    public static Path tempDir() {
        try {
            return Files.createTempDirectory("stampede-chaos-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Targets gateway/agent at ports where nothing listens unless the test says otherwise. */
    public static ChaosConfig config(Path dataDir, double timeScale) {
        return ChaosConfig.forTest("nats://127.0.0.1:1", Map.of(
                "gateway", URI.create("http://127.0.0.1:1/healthz"),
                "agent", URI.create("http://127.0.0.1:2/healthz")), dataDir, timeScale);
    }

    public static ApiFixture start(double timeScale) {
        return start(timeScale, UnaryOperator.identity());
    }

    public static ApiFixture start(double timeScale, UnaryOperator<ChaosConfig> tweak) {
        Path data = tempDir();
        Path rec = data.resolve("recording");
        return new ApiFixture(tweak.apply(config(data, timeScale)), RecordingInjectorFactory.injectors(rec), data, rec);
    }

    public static ApiFixture start(ChaosConfig config, Injectors injectors, Path recordingDir) {
        return new ApiFixture(config, injectors, config.dataDir(), recordingDir);
    }

    @Override
    public void close() {
        api.close();
    }
}
