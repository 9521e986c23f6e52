package io.stampede.loadgen.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Writes a run directory (format in loadgen/README.md): {@code run.json}, {@code lateness.hlog},
 * {@code e2e.hlog} and {@code counters.jsonl}. Other writers (the chaos API's
 * {@code timeline.jsonl}) may add files beside them. Used by the stats ticker thread only.
 */
public final class RunDirectoryWriter implements AutoCloseable {
    public static final String RUN_JSON = "run.json";
    public static final String LATENESS_HLOG = "lateness.hlog";
    public static final String E2E_HLOG = "e2e.hlog";
    public static final String COUNTERS_JSONL = "counters.jsonl";

    private final Path dir;
    private final PrintStream latenessOut;
    private final HistogramLogWriter lateness;
    private PrintStream e2eOut;
    private HistogramLogWriter e2e;
    private final Writer counters;
    private final long startMs;

    public RunDirectoryWriter(Path dir, long startMs, boolean withE2e) {
        this.dir = dir;
        this.startMs = startMs;
        try {
            Files.createDirectories(dir);
            latenessOut = new PrintStream(dir.resolve(LATENESS_HLOG).toFile(), StandardCharsets.UTF_8);
            lateness = header(latenessOut, "lateness: actual minus intended publish time, microseconds; untagged = whole run, tag = experiment id");
            if (withE2e) {
                e2eOut = new PrintStream(dir.resolve(E2E_HLOG).toFile(), StandardCharsets.UTF_8);
                e2e = header(e2eOut, "e2e: outcome arrival minus intended send time (sent_at), microseconds");
            }
            counters = Files.newBufferedWriter(dir.resolve(COUNTERS_JSONL), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HistogramLogWriter header(PrintStream out, String comment) {
        HistogramLogWriter w = new HistogramLogWriter(out);
        w.outputComment(comment);
        w.outputLogFormatVersion();
        w.outputStartTime(startMs);
        w.setBaseTime(startMs);
        w.outputBaseTime(startMs);
        w.outputLegend();
        out.flush();
        return w;
    }

    public Path dir() {
        return dir;
    }

    public void lateness(Histogram interval, String tag) {
        interval.setTag(tag);
        lateness.outputIntervalHistogram(interval);
    }

    public void e2e(Histogram interval) {
        if (e2e != null) {
            interval.setTag(null);
            e2e.outputIntervalHistogram(interval);
        }
    }

    public void counters(Map<String, Object> line) throws IOException {
        counters.write(Json.write(line));
        counters.write('\n');
    }

    public void flush() throws IOException {
        latenessOut.flush();
        if (e2eOut != null) {
            e2eOut.flush();
        }
        counters.flush();
    }

    /** Replaces run.json atomically, so a reader never sees half a file. */
    public void runJson(Map<String, Object> run) throws IOException {
        Path tmp = dir.resolve(RUN_JSON + ".tmp");
        Files.writeString(tmp, Json.write(run) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(RUN_JSON), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws IOException {
        flush();
        latenessOut.close();
        if (e2eOut != null) {
            e2eOut.close();
        }
        counters.close();
    }
}
