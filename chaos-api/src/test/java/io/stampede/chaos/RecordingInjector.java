package io.stampede.chaos;

import io.stampede.chaos.experiment.ExperimentSpec;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultStats;
import io.stampede.chaos.inject.FaultInjector;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * A test injector for any experiment type that records apply/revert on disk, so a test (or a
 * restarted chaos API in another process) can see which "faults" are applied right now:
 * {@code dir/applied/<experiment id>} exists exactly while applied; {@code dir/events.log}
 * lists every call in order.
 */
public final class RecordingInjector<S extends ExperimentSpec> implements FaultInjector<S> {
    private final Class<S> type;
    private final Path dir;
    private final long applyDelayMs;
    private final long revertDelayMs;
    private final long statsDelayMs;

    public RecordingInjector(Class<S> type, Path dir, long applyDelayMs) {
        this(type, dir, applyDelayMs, 0, 0);
    }

    /** Slow on purpose: apply, revert and stats each take the given time (a JVM or a container getting healthy). */
    public RecordingInjector(Class<S> type, Path dir, long applyDelayMs, long revertDelayMs, long statsDelayMs) {
        this.type = type;
        this.dir = dir;
        this.applyDelayMs = applyDelayMs;
        this.revertDelayMs = revertDelayMs;
        this.statsDelayMs = statsDelayMs;
        try {
            Files.createDirectories(dir.resolve("applied"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Class<S> specType() {
        return type;
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, S spec) throws Exception {
        if (applyDelayMs > 0) {
            Thread.sleep(applyDelayMs);
        }
        log("apply " + ctx.experimentId());
        Files.writeString(dir.resolve("applied").resolve(ctx.experimentId()), spec.toString());
        return new JsonObject().put("recorded", ctx.experimentId());
    }

    @Override
    public void revert(ExperimentContext ctx, S spec, JsonObject token) throws Exception {
        if (revertDelayMs > 0) {
            Thread.sleep(revertDelayMs);
        }
        // dir/fail-revert holds how many reverts must still fail (a target that is not back yet)
        Path failures = dir.resolve("fail-revert");
        synchronized (RecordingInjector.class) {
            if (Files.exists(failures)) {
                int left = Integer.parseInt(Files.readString(failures).trim());
                if (left > 0) {
                    Files.writeString(failures, Integer.toString(left - 1));
                    log("revert-failed " + ctx.experimentId());
                    throw new IOException("revert refused on purpose (" + left + " more)");
                }
            }
        }
        log("revert " + ctx.experimentId() + (token == null ? " (no token)" : ""));
        Files.deleteIfExists(dir.resolve("applied").resolve(ctx.experimentId()));
    }

    @Override
    public FaultStats stats(ExperimentContext ctx) {
        if (statsDelayMs > 0) {
            try {
                Thread.sleep(statsDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return FaultStats.of(new JsonObject().put("recording", true));
    }

    private synchronized void log(String line) throws IOException {
        Files.writeString(dir.resolve("events.log"), System.currentTimeMillis() + " " + line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Ids whose fault is applied now, across processes. */
    public static List<String> applied(Path dir) {
        try (Stream<Path> s = Files.list(dir.resolve("applied"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public static List<String> events(Path dir) {
        try {
            return Files.readAllLines(dir.resolve("events.log")).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
