package io.stampede.chaos.loadtest;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A load_test's figures from its run directory: progress from the last line of
 * {@code counters.jsonl}, the final {@code summary.json} once written, and the path of Gatling's
 * HTML report. Reads only the file tails, so it is cheap enough for every GET.
 */
public final class LoadTestStats {
    private LoadTestStats() {}

    public static JsonObject read(Path runDir) {
        JsonObject stats = new JsonObject();
        lastLine(runDir.resolve("counters.jsonl")).ifPresent(line -> {
            JsonObject c = parse(line);
            if (c != null) {
                stats.put("progress", new JsonObject()
                        .put("elapsed_s", c.getDouble("elapsed_s"))
                        .put("requests", c.getLong("sent_total"))
                        .put("ok", c.getLong("ok_total"))
                        .put("ko", c.getLong("ko_total"))
                        .put("current_rps", c.getLong("sent"))
                        .put("p99_ms_last_second", c.getDouble("p99_ms")));
            }
        });
        Path summary = runDir.resolve("summary.json");
        if (Files.isRegularFile(summary)) {
            try {
                JsonObject s = parse(Files.readString(summary, StandardCharsets.UTF_8));
                if (s != null) {
                    stats.put("summary", s);
                }
            } catch (IOException ignored) {
                // being replaced right now; next read gets it
            }
        }
        report(runDir).ifPresent(r -> stats.put("report", runDir.relativize(r).toString()));
        return stats;
    }

    /** Gatling's index.html under runDir/gatling/, newest first. */
    public static Optional<Path> report(Path runDir) {
        Path gatling = runDir.resolve("gatling");
        if (!Files.isDirectory(gatling)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(gatling)) {
            return dirs.map(d -> d.resolve("index.html"))
                    .filter(Files::isRegularFile)
                    .max(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static JsonObject parse(String s) {
        try {
            return new JsonObject(s.trim());
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    static Optional<String> lastLine(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long len = raf.length();
            int n = (int) Math.min(len, 4096);
            byte[] buf = new byte[n];
            raf.seek(len - n);
            raf.readFully(buf);
            String tail = new String(buf, StandardCharsets.UTF_8);
            String[] lines = tail.split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                // The last line may be half written: only a complete JSON line counts.
                if (lines[i].startsWith("{") && lines[i].endsWith("}") && (i < lines.length - 1 || tail.endsWith("\n"))) {
                    return Optional.of(lines[i]);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
