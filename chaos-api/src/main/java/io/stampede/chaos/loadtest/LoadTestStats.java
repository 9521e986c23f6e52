package io.stampede.chaos.loadtest;

import io.stampede.chaos.inject.FaultStats;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.LatencyStats;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunReader;
import io.stampede.reports.Summary;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A load_test's figures from its run directory, read through the reports module's
 * {@link RunReader} (format: reports/README.md; written by the simulation's RunRecorder):
 * {@code progress} from the last two {@code gatling} records of counters.jsonl, {@code summary}
 * from summary.json once written, and the path of Gatling's HTML report.
 *
 * <p>Names are the run record's: {@code progress} = the last record's values ({@code requests},
 * {@code ok}, {@code ko}, {@code elapsed_s}, {@code p99_ms} of the last second) plus
 * {@code rate_per_s} (requests per second between the last two records); {@code summary} =
 * {@code completed}, {@code ended_at_ms}, the final gatling counters, summary.json's {@code values}
 * ({@code achieved_per_s}, {@code response_per_s}, {@code measured_window_s}, ...) and the
 * {@code http} series' percentiles in ms ({@code p50_ms}, {@code p95_ms}, {@code p99_ms},
 * {@code max_ms}).
 */
public final class LoadTestStats {
    /** The simulation's counter source and latency series (reports/README.md). */
    public static final String SOURCE = "gatling";
    public static final String SERIES = RunFiles.SERIES_HTTP;

    private LoadTestStats() {}

    public static JsonObject read(Path runDir) {
        JsonObject stats = new JsonObject();
        if (!Files.isDirectory(runDir)) {
            return stats;
        }
        try {
            RunReader r = RunReader.open(runDir);
            List<CounterRecord> mine = r.counters().stream()
                    .filter(c -> SOURCE.equals(c.source()) && c.experimentId() == null).toList();
            if (!mine.isEmpty()) {
                stats.put("progress", progress(mine));
            }
            try {
                r.summary().ifPresent(s -> stats.put("summary", summary(s)));
            } catch (IllegalArgumentException e) {
                stats.put("summary_problem", e.getMessage());
            }
        } catch (UncheckedIOException e) {
            // a file being replaced right now; the next read gets it
        }
        report(runDir).ifPresent(rep -> stats.put("report", runDir.relativize(rep).toString()));
        return stats;
    }

    /**
     * The load test's requests in the view {@link #read} built: {@code summary.requests} (else the
     * timed responses' {@code count}), {@code ko} and {@code p95_ms} once the summary is written,
     * else the last progress record's; null while neither has both counts.
     */
    static FaultStats.HttpCounts http(JsonObject stats) {
        JsonObject summary = stats.getJsonObject("summary");
        JsonObject progress = stats.getJsonObject("progress");
        Long requests = null;
        Long ko = null;
        Double p95 = null;
        if (summary != null) {
            requests = summary.containsKey("requests") ? summary.getLong("requests") : summary.getLong("count");
            ko = summary.getLong("ko");
            p95 = summary.getDouble("p95_ms");
        }
        if (requests == null && progress != null) {
            requests = progress.getLong("requests");
            ko = progress.getLong("ko");
        }
        return requests == null || ko == null ? null : new FaultStats.HttpCounts(requests, ko, p95);
    }

    private static JsonObject progress(List<CounterRecord> records) {
        CounterRecord last = records.get(records.size() - 1);
        JsonObject p = new JsonObject();
        last.values().forEach(p::put);
        if (records.size() >= 2) {
            CounterRecord prev = records.get(records.size() - 2);
            Number a = prev.values().get("requests");
            Number b = last.values().get("requests");
            long dtMs = last.tsMs() - prev.tsMs();
            if (a != null && b != null && dtMs > 0 && b.longValue() >= a.longValue()) {
                p.put("rate_per_s", (b.longValue() - a.longValue()) * 1000.0 / dtMs);
            }
        }
        return p;
    }

    private static JsonObject summary(Summary s) {
        JsonObject out = new JsonObject().put("completed", s.completed()).put("ended_at_ms", s.endedAtMs());
        s.counters().stream().filter(c -> SOURCE.equals(c.source()) && c.experimentId() == null)
                .reduce((a, b) -> b).ifPresent(c -> c.values().forEach(out::put));
        s.values().forEach(out::put);
        s.latency().stream().filter(l -> SERIES.equals(l.series()) && l.tag() == null).findFirst()
                .ifPresent(l -> putMs(out, l));
        return out;
    }

    private static void putMs(JsonObject out, LatencyStats l) {
        out.put("count", l.count()); // responses timed
        out.put("p50_ms", l.p50Us() / 1000.0);
        out.put("p95_ms", l.p95Us() / 1000.0);
        out.put("p99_ms", l.p99Us() / 1000.0);
        out.put("max_ms", l.maxUs() / 1000.0);
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
}
