package io.stampede.reports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one writer of a run directory (format: {@link RunFiles}, {@code reports/README.md}).
 * Thread-safe: each file has its own lock, so a counters line never waits for a verdict.
 *
 * <ul>
 *   <li>{@code run.json}, {@code summary.json}, {@code verdict.json} are replaced atomically
 *       (temp file in the same directory, then a move): a reader sees the old or the new file,
 *       never half of one.</li>
 *   <li>{@code timeline.jsonl} and {@code counters.jsonl} are append-only, each call one
 *       {@code write(2)} in append mode, so writers in several threads or processes (e.g. several
 *       experiments of a plan) interleave whole lines; a crash can leave only the last line torn,
 *       and {@link RunReader} ignores a torn last line.</li>
 *   <li>{@code <series>.hlog}: one {@link SeriesWriter} per series.</li>
 * </ul>
 * Errors are {@link UncheckedIOException}s: a caller for whom the run record is best-effort (the
 * chaos API, whose journal is the safety record) catches them.
 */
public final class RunWriter implements AutoCloseable {
    private final Path dir;
    private final Object timelineLock = new Object();
    private final Object countersLock = new Object();
    private final Object acceptedLock = new Object();
    private final Map<String, SeriesWriter> series = new LinkedHashMap<>();
    private FileChannel timeline;
    private FileChannel counters;
    private FileChannel accepted;
    private boolean closed;

    private RunWriter(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating it if needed) a run directory; existing append-only files are appended to. */
    public static RunWriter open(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RunWriter(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes or replaces {@code run.json}. */
    public void writeRun(RunInfo run) {
        replace(RunFiles.RUN_JSON, Codec.runInfoToJson(run));
    }

    /** Appends events to {@code timeline.jsonl}, all in one write. */
    public void appendTimeline(TimelineEvent... events) {
        if (events.length == 0) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (TimelineEvent e : events) {
            sb.append(Codec.timelineLine(e)).append('\n');
        }
        synchronized (timelineLock) {
            timeline = append(timeline, RunFiles.TIMELINE_JSONL, sb);
        }
    }

    /**
     * Opens, appends to and closes {@code dir/timeline.jsonl} (creating {@code dir}): for a caller
     * without a writer of its own, e.g. a plan's timeline fed by each of its experiments.
     */
    public static void appendTimeline(Path dir, TimelineEvent... events) {
        try (RunWriter w = open(dir)) {
            w.appendTimeline(events);
        }
    }

    /** Appends records to {@code counters.jsonl}, all in one write (one line per record). */
    public void appendCounters(CounterRecord... records) {
        appendCounters(List.of(records));
    }

    public void appendCounters(List<CounterRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (CounterRecord r : records) {
            sb.append(Codec.counterLine(r)).append('\n');
        }
        synchronized (countersLock) {
            counters = append(counters, RunFiles.COUNTERS_JSONL, sb);
        }
    }

    /** Appends one line to {@code accepted.jsonl} (one write); nothing for an empty interval. */
    public void appendAccepted(AcceptedIds ids) {
        if (ids.seqs().length == 0) {
            return;
        }
        String line = Codec.acceptedLine(ids) + "\n";
        synchronized (acceptedLock) {
            accepted = append(accepted, RunFiles.ACCEPTED_JSONL, line);
        }
    }

    /**
     * Creates {@code <name>.hlog} (replacing an existing one) with start and base time {@code
     * startMs}, the default range (1 h in µs) and 3 significant digits. One writer per series.
     */
    public SeriesWriter series(String name, String description, long startMs) {
        return series(name, description, startMs, SeriesWriter.DEFAULT_HIGHEST_US);
    }

    public synchronized SeriesWriter series(String name, String description, long startMs, long highestUs) {
        RunFiles.hlog(name); // validates the name
        if (series.containsKey(name)) {
            throw new IllegalStateException("series " + name + " is already open in " + dir);
        }
        SeriesWriter w = new SeriesWriter(dir, name, description, startMs, highestUs);
        series.put(name, w);
        return w;
    }

    /** Writes or replaces {@code summary.json}. */
    public void writeSummary(Summary summary) {
        replace(RunFiles.SUMMARY_JSON, Codec.summaryToJson(summary));
    }

    /** Writes or replaces {@code verdict.json}. */
    public void writeVerdict(Verdict verdict) {
        replace(RunFiles.VERDICT_JSON, verdict.toJson());
    }

    /** Percentiles of every open or closed series of this writer, for {@link Summary#latency()}. */
    public synchronized List<LatencyStats> latencyStats() {
        List<LatencyStats> all = new ArrayList<>();
        series.values().forEach(s -> all.addAll(s.stats()));
        return all;
    }

    /** Closes every series (writing its last interval) and the append-only files. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            series.values().forEach(SeriesWriter::close);
        }
        synchronized (timelineLock) {
            closeQuietly(timeline);
            timeline = null;
        }
        synchronized (countersLock) {
            closeQuietly(counters);
            counters = null;
        }
        synchronized (acceptedLock) {
            closeQuietly(accepted);
            accepted = null;
        }
    }

    private FileChannel append(FileChannel ch, String file, CharSequence text) {
        try {
            if (ch == null) {
                ch = FileChannel.open(dir.resolve(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            ByteBuffer buf = StandardCharsets.UTF_8.encode(text.toString());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            return ch;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(file), e);
        }
    }

    private void replace(String file, String text) {
        Path target = dir.resolve(file);
        Path tmp = dir.resolve(file + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error matters
            }
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing buffered: every append was written through
            }
        }
    }
}
