package io.stampede.reports;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Reads a run directory back (format: {@link RunFiles}). Every method reads its file afresh, so
 * a reader can follow a run that is still being written.
 *
 * <ul>
 *   <li>JSON-lines files: a last line without its newline is a line still being written (or torn
 *       by a crash) and is ignored unless it parses; any other line that does not parse is skipped
 *       and reported in {@link #problems()}. Absent files read as empty.</li>
 *   <li>{@code .hlog}: read with HdrHistogram's {@link HistogramLogReader}; a torn last line is
 *       ignored the same way.</li>
 *   <li>{@code run.json}, {@code summary.json}, {@code verdict.json} (written atomically):
 *       absent = empty Optional; present but invalid = {@link IllegalArgumentException} naming the
 *       file and key.</li>
 * </ul>
 * Not thread-safe (problems are collected per reader).
 */
public final class RunReader {
    private final Path dir;
    private final List<Problem> problems = new ArrayList<>();

    private RunReader(Path dir) {
        this.dir = dir;
    }

    /** A reader of {@code dir}; throws {@link IllegalArgumentException} if it is not a directory. */
    public static RunReader open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a run directory: " + dir);
        }
        return new RunReader(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Lines skipped so far by this reader, each with its file and line number as the field. */
    public List<Problem> problems() {
        return List.copyOf(problems);
    }

    public Optional<RunInfo> run() {
        return whole(RunFiles.RUN_JSON).map(Codec::runInfoFromJson);
    }

    public List<TimelineEvent> timeline() {
        return lines(RunFiles.TIMELINE_JSONL, Codec::timelineFromLine);
    }

    public List<CounterRecord> counters() {
        return lines(RunFiles.COUNTERS_JSONL, Codec::counterFromLine);
    }

    /** Every line of {@code accepted.jsonl} (a load test's requests answered 202). */
    public List<AcceptedIds> accepted() {
        return lines(RunFiles.ACCEPTED_JSONL, Codec::acceptedFromLine);
    }

    /**
     * Follows {@code accepted.jsonl} while it is written: reads the whole lines from byte
     * {@code offset} on, gives each to {@code sink}, and returns the offset to continue from (a
     * line without its newline yet is left for the next call). For a reader that polls a long run
     * without reading the file from the start each time. A line that does not parse is skipped and
     * reported in {@link #problems()}.
     */
    public long acceptedFrom(long offset, java.util.function.Consumer<AcceptedIds> sink) {
        Path file = dir.resolve(RunFiles.ACCEPTED_JSONL);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            long size = ch.size();
            if (size <= offset) {
                return offset;
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, size - offset));
            ch.position(offset);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read what is there now
            }
            byte[] b = buf.array();
            int n = buf.position();
            int lineStart = 0;
            for (int i = 0; i < n; i++) {
                if (b[i] != '\n') {
                    continue;
                }
                String line = new String(b, lineStart, i - lineStart, StandardCharsets.UTF_8).strip();
                if (!line.isEmpty()) {
                    try {
                        sink.accept(Codec.acceptedFromLine(line));
                    } catch (IllegalArgumentException | NullPointerException e) {
                        problems.add(new Problem(RunFiles.ACCEPTED_JSONL + "@" + (offset + lineStart), e.getMessage()));
                    }
                }
                lineStart = i + 1;
            }
            return offset + lineStart;
        } catch (NoSuchFileException e) {
            return offset;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Summary> summary() {
        return whole(RunFiles.SUMMARY_JSON).map(Codec::summaryFromJson);
    }

    public Optional<Verdict> verdict() {
        return whole(RunFiles.VERDICT_JSON).map(Verdict::parse);
    }

    /** Names of the series present ({@code <name>.hlog}), sorted. */
    public List<String> seriesNames() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> RunFiles.seriesOf(p.getFileName().toString()))
                    .filter(s -> s != null)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One series, or empty if {@code <name>.hlog} does not exist. */
    public Optional<Series> series(String name) {
        String file = RunFiles.hlog(name);
        Optional<byte[]> bytes = bytes(file);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        byte[] b = bytes.get();
        int end = b.length;
        if (end > 0 && b[end - 1] != '\n') {
            int nl = lastNewline(b, end);
            end = nl + 1; // drop the torn last line (a whole interval line always ends with '\n')
        }
        List<Histogram> intervals = new ArrayList<>();
        Histogram merged = new Histogram(SeriesWriter.SIGNIFICANT_DIGITS);
        Map<String, Histogram> byTag = new LinkedHashMap<>();
        Long startMs = null;
        HistogramLogReader reader = new HistogramLogReader(new ByteArrayInputStream(b, 0, end));
        try {
            while (true) {
                EncodableHistogram eh;
                try {
                    eh = reader.nextIntervalHistogram();
                } catch (RuntimeException e) {
                    problems.add(new Problem(file, "unreadable interval after " + intervals.size() + " intervals: " + e));
                    break;
                }
                if (eh == null) {
                    break;
                }
                if (!(eh instanceof Histogram h)) {
                    problems.add(new Problem(file, "skipped a non-integer histogram interval"));
                    continue;
                }
                intervals.add(h);
                if (h.getTag() == null) {
                    merged.add(h);
                } else {
                    byTag.computeIfAbsent(h.getTag(), t -> new Histogram(SeriesWriter.SIGNIFICANT_DIGITS)).add(h);
                }
            }
            double startSec = reader.getStartTimeSec();
            if (startSec > 0) {
                startMs = Math.round(startSec * 1000);
            }
        } finally {
            reader.close();
        }
        return Optional.of(new Series(name, startMs, intervals, merged, byTag));
    }

    /** Every series present, by name. */
    public Map<String, Series> allSeries() {
        Map<String, Series> all = new LinkedHashMap<>();
        for (String n : seriesNames()) {
            series(n).ifPresent(s -> all.put(n, s));
        }
        return all;
    }

    private static int lastNewline(byte[] b, int end) {
        for (int i = end - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private <T> List<T> lines(String file, Function<String, T> parse) {
        Optional<byte[]> bytes = bytes(file);
        List<T> out = new ArrayList<>();
        if (bytes.isEmpty()) {
            return out;
        }
        String text = new String(bytes.get(), StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        // split with -1: the element after the last '\n' is "" for a complete file, the torn line otherwise
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            boolean last = i == lines.length - 1;
            try {
                out.add(parse.apply(line));
            } catch (IllegalArgumentException | NullPointerException e) {
                if (!last) {
                    problems.add(new Problem(file + ":" + (i + 1), e.getMessage()));
                }
                // a torn last line is a line still being written: not a problem
            }
        }
        return out;
    }

    private Optional<String> whole(String file) {
        return bytes(file).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    private Optional<byte[]> bytes(String file) {
        try {
            return Optional.of(Files.readAllBytes(dir.resolve(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
