package io.stampede.reports;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * Writes one latency series to {@code <series>.hlog}: an HdrHistogram interval log of integer
 * microseconds (start time and base time = the series' start, so interval timestamps are seconds
 * since it). Untagged intervals cover everything recorded; intervals tagged {@code Tag=<id>} cover
 * what was recorded through {@link #tag(String)} (an experiment's share).
 *
 * <p>Recording is allocation-free and wait-free: each of the untagged channel and every tag is an
 * HdrHistogram {@link Recorder}; {@link #writeInterval()} (one thread, e.g. a 1 s ticker) swaps each
 * with {@code getIntervalHistogram(recycle)}, so an interval allocates nothing either. Values are
 * clamped to [0, {@link #highestTrackableUs()}].
 */
public final class SeriesWriter implements AutoCloseable {
    /** Default highest trackable value: one hour in µs. */
    public static final long DEFAULT_HIGHEST_US = 3_600_000_000L;
    /** Significant digits of every histogram (relative error ≤ 0.1 %). */
    public static final int SIGNIFICANT_DIGITS = 3;

    private final String name;
    private final Path file;
    private final long highestUs;
    private final PrintStream out;
    private final HistogramLogWriter log;
    private final Channel untagged;
    private final Map<String, Tag> tags = new ConcurrentHashMap<>();
    /** Totals per tag (null key = untagged), guarded by this. */
    private final Map<String, Histogram> totals = new LinkedHashMap<>();
    private long lastEndMs;
    private boolean closed;

    SeriesWriter(Path dir, String name, String description, long startMs, long highestUs) {
        this.name = name;
        this.file = dir.resolve(RunFiles.hlog(name));
        this.highestUs = highestUs;
        this.untagged = new Channel(null);
        this.lastEndMs = startMs;
        try {
            OutputStream os = Files.newOutputStream(file);
            out = new PrintStream(os, false, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log = new HistogramLogWriter(out);
        log.outputComment("series=" + name + " unit=" + RunFiles.HISTOGRAM_UNIT
                + (description == null || description.isBlank() ? "" : " " + description.replace('\n', ' ')));
        log.outputLogFormatVersion();
        log.outputStartTime(startMs);
        log.setBaseTime(startMs);
        log.outputBaseTime(startMs);
        log.outputLegend();
        out.flush();
    }

    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    public long highestTrackableUs() {
        return highestUs;
    }

    /** Records one value (µs) in the untagged channel. Allocation-free, wait-free, any thread. */
    public void record(long us) {
        untagged.record(us);
    }

    /**
     * The channel of one tag (an experiment id), created on first use (keep the handle: the lookup
     * is a hash-map get). What is recorded through it appears in intervals tagged {@code id}; it is
     * not added to the untagged channel (record both when both should count).
     */
    public Tag tag(String id) {
        if (id == null || id.isEmpty() || id.chars().anyMatch(c -> c == ',' || c == ' ' || c == '\n')) {
            throw new IllegalArgumentException("a tag is a non-empty id without ',', spaces or newlines: " + id);
        }
        return tags.computeIfAbsent(id, Tag::new);
    }

    /** Writes one interval per channel ending now (see {@link #writeInterval(long)}). */
    public void writeInterval() {
        writeInterval(System.currentTimeMillis());
    }

    /**
     * Writes one interval from the previous interval's end (or the series' start) to {@code endMs}:
     * always the untagged one (an empty interval says "nothing in that second"), and each tag that
     * recorded something. Call from one thread at a time (it is synchronized).
     */
    public synchronized void writeInterval(long endMs) {
        if (closed) {
            return;
        }
        long startMs = lastEndMs;
        long end = Math.max(endMs, startMs);
        untagged.emit(startMs, end, true);
        for (Tag t : tags.values()) {
            t.channel.emit(startMs, end, false);
        }
        lastEndMs = end;
        out.flush();
    }

    /**
     * Writes a histogram recorded elsewhere (e.g. merged from load agents) as one interval with
     * {@code tag} (null = untagged); its start/end timestamps must be set (epoch ms).
     */
    public synchronized void append(Histogram interval, String tag) {
        if (closed) {
            throw new IllegalStateException("series " + name + " is closed");
        }
        interval.setTag(tag);
        log.outputIntervalHistogram(interval);
        total(tag).add(interval);
        out.flush();
    }

    /** Percentiles of everything written so far: untagged first, then each tag in first-use order. */
    public synchronized List<LatencyStats> stats() {
        List<LatencyStats> s = new ArrayList<>();
        s.add(LatencyStats.of(name, null, totals.containsKey(null) ? totals.get(null) : new Histogram(SIGNIFICANT_DIGITS)));
        totals.forEach((tag, h) -> {
            if (tag != null) {
                s.add(LatencyStats.of(name, tag, h));
            }
        });
        return s;
    }

    /**
     * Writes what was recorded since the previous interval (if anything: no empty interval at the
     * end) as a last interval ending now, and closes the file. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        long startMs = lastEndMs;
        long end = Math.max(System.currentTimeMillis(), startMs);
        untagged.emit(startMs, end, false);
        for (Tag t : tags.values()) {
            t.channel.emit(startMs, end, false);
        }
        closed = true;
        out.close();
    }

    private Histogram total(String tag) {
        return totals.computeIfAbsent(tag, t -> new Histogram(highestUs, SIGNIFICANT_DIGITS));
    }

    private long clamp(long us) {
        return us < 0 ? 0 : Math.min(us, highestUs);
    }

    /** One tag's channel. */
    public final class Tag {
        private final Channel channel;

        private Tag(String id) {
            this.channel = new Channel(id);
        }

        /** Records one value (µs) under this tag. Allocation-free, wait-free, any thread. */
        public void record(long us) {
            channel.record(us);
        }
    }

    private final class Channel {
        private final String tag;
        private final Recorder recorder = new Recorder(highestUs, SIGNIFICANT_DIGITS);
        private Histogram recycle;

        Channel(String tag) {
            this.tag = tag;
        }

        void record(long us) {
            recorder.recordValue(clamp(us));
        }

        /** Called under the writer's lock. */
        void emit(long startMs, long endMs, boolean evenIfEmpty) {
            Histogram h = recorder.getIntervalHistogram(recycle);
            recycle = h;
            if (h.getTotalCount() == 0 && !evenIfEmpty) {
                return;
            }
            h.setStartTimeStamp(startMs);
            h.setEndTimeStamp(endMs);
            h.setTag(tag);
            log.outputIntervalHistogram(h);
            total(tag).add(h);
        }
    }
}
