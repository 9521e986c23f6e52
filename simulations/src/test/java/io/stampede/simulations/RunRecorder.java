package io.stampede.simulations;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * The simulation's own figures, because Gatling 3.15 writes no stats file and its percentiles are
 * whole, approximate milliseconds. Into {@code runDir}:
 * <ul>
 *   <li>{@code latency.hlog}: HdrHistogram interval log (1 s intervals, microseconds) of response
 *       times measured from the intended send time;</li>
 *   <li>{@code counters.jsonl}: one line per second: sent, ok, ko in that second and totals;</li>
 *   <li>{@code summary.json}: count, ok, ko, p50/p95/p99/max ms, achieved rps over the steady
 *       window, written at the end (also on SIGTERM, then with {@code "completed": false}).</li>
 * </ul>
 * Recording is a few atomic increments and a Recorder update per request (lock-free).
 */
public final class RunRecorder {
    private static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(10);

    private final LoadParams params;
    private final ArrivalSchedule schedule;
    private final Path runDir;
    private final Recorder recorder = new Recorder(HIGHEST_US, 3);
    private final Histogram total = new Histogram(HIGHEST_US, 3);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong ko = new AtomicLong();
    private final AtomicLong steadySent = new AtomicLong();
    private final AtomicLong users = new AtomicLong();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stampede-run-recorder");
        t.setDaemon(true);
        return t;
    });
    private volatile long startNanos;
    private volatile long startEpochMs;
    private volatile long clockNanos;
    private long lastSent;
    private long lastOk;
    private long lastKo;
    private long tick;
    private HistogramLogWriter hlog;
    private PrintStream hlogOut;
    private Writer counters;
    private Thread shutdownHook;

    public RunRecorder(LoadParams params, ArrivalSchedule schedule) {
        this.params = params;
        this.schedule = schedule;
        this.runDir = params.runDir();
    }

    /** Called from the simulation's before(): opens the files and starts the 1 s ticker. */
    public synchronized void start() {
        try {
            Files.createDirectories(runDir);
            hlogOut = new PrintStream(Files.newOutputStream(runDir.resolve("latency.hlog")), false, StandardCharsets.UTF_8);
            hlog = new HistogramLogWriter(hlogOut);
            counters = Files.newBufferedWriter(runDir.resolve("counters.jsonl"), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startEpochMs = System.currentTimeMillis();
        startNanos = System.nanoTime();
        clockNanos = startNanos;
        hlog.outputLogFormatVersion();
        hlog.outputComment("response times in microseconds from the intended send time; rps="
                + params.rps() + " duration_s=" + params.durationS() + " ramp_s=" + params.rampS()
                + " payload_size=" + params.payloadSize() + " target=" + params.targetUrl());
        hlog.outputStartTime(startEpochMs);
        hlog.setBaseTime(startEpochMs);
        hlog.outputLegend();
        recorder.reset();
        ticker.scheduleAtFixedRate(this::tickSafely, 1, 1, TimeUnit.SECONDS);
        shutdownHook = new Thread(() -> finish(false), "stampede-run-recorder-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Next user's sequence number (0-based); its intended send time follows from the schedule. */
    public long nextUser() {
        long seq = users.getAndIncrement();
        if (seq == 0) {
            // Anchor the schedule on the first arrival, not on before(): Gatling starts injecting
            // some time after before() returns, and that gap is not the target's latency.
            startNanos = System.nanoTime();
        }
        return seq;
    }

    public long intendedNanos(long seq) {
        return startNanos + (long) (schedule.intendedOffsetS(seq) * 1e9);
    }

    /** Just before the request leaves. */
    public void onSend(long seq) {
        sent.incrementAndGet();
        double at = (System.nanoTime() - startNanos) / 1e9;
        double steadyStart = schedule.steadyStartS();
        if (seq >= schedule.rampUsers() && at >= steadyStart && at < steadyStart + params.durationS()) {
            steadySent.incrementAndGet();
        }
    }

    /** Right after the response (or the failure); the latency counts from the intended send time. */
    public void onDone(long seq, boolean success) {
        long us = Math.max(0, (System.nanoTime() - intendedNanos(seq)) / 1000);
        recorder.recordValue(Math.min(us, HIGHEST_US));
        (success ? ok : ko).incrementAndGet();
    }

    private void tickSafely() {
        try {
            tick(false);
        } catch (RuntimeException | IOException e) {
            System.err.println("stampede recorder tick failed: " + e);
        }
    }

    private synchronized void tick(boolean last) throws IOException {
        if (counters == null) {
            return;
        }
        Histogram interval = recorder.getIntervalHistogram();
        total.add(interval);
        hlog.outputIntervalHistogram(interval);
        hlogOut.flush();
        long s = sent.get();
        long o = ok.get();
        long k = ko.get();
        tick++;
        double elapsed = (System.nanoTime() - clockNanos) / 1e9;
        counters.write(String.format(Locale.ROOT,
                "{\"t\":%d,\"elapsed_s\":%.3f,\"sent\":%d,\"ok\":%d,\"ko\":%d,\"sent_total\":%d,\"ok_total\":%d,\"ko_total\":%d,\"p99_ms\":%.3f%s}%n",
                tick, elapsed, s - lastSent, o - lastOk, k - lastKo, s, o, k,
                interval.getTotalCount() == 0 ? 0.0 : interval.getValueAtPercentile(99) / 1000.0,
                last ? ",\"last\":true" : ""));
        counters.flush();
        lastSent = s;
        lastOk = o;
        lastKo = k;
    }

    /** Called from after() (completed) or the shutdown hook (interrupted); runs once. */
    public void finish(boolean completed) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        ticker.shutdownNow();
        if (completed && shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        synchronized (this) {
            try {
                tick(true);
                writeSummary(completed);
                counters.close();
                hlogOut.close();
                counters = null;
            } catch (IOException | RuntimeException e) {
                System.err.println("stampede recorder could not write its summary: " + e);
            }
        }
    }

    private void writeSummary(boolean completed) throws IOException {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double window = Math.min(params.durationS(), Math.max(0, elapsed - schedule.steadyStartS()));
        String json = String.format(Locale.ROOT,
                "{\"completed\":%s,\"asked_rps\":%s,\"duration_s\":%d,\"ramp_s\":%d,\"payload_size\":%d,"
                        + "\"target_url\":\"%s\",\"start_epoch_ms\":%d,\"elapsed_s\":%.3f,"
                        + "\"count\":%d,\"ok\":%d,\"ko\":%d,\"sent\":%d,"
                        + "\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
                        + "\"measured_window_s\":%.3f,\"steady_sent\":%d,\"achieved_rps\":%.3f,"
                        + "\"latency_from\":\"intended_send_time\",\"hlog\":\"latency.hlog\"}%n",
                completed, params.rps(), params.durationS(), params.rampS(), params.payloadSize(),
                params.targetUrl().replace("\"", "\\\""), startEpochMs, elapsed,
                ok.get() + ko.get(), ok.get(), ko.get(), sent.get(),
                ms(total, 50), ms(total, 95), ms(total, 99), total.getMaxValue() / 1000.0,
                window, steadySent.get(), window > 0 ? steadySent.get() / window : 0.0);
        // Write then rename so a reader never sees half a summary.
        Path tmp = runDir.resolve("summary.json.tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, runDir.resolve("summary.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static double ms(Histogram h, double pct) {
        return h.getTotalCount() == 0 ? 0.0 : h.getValueAtPercentile(pct) / 1000.0;
    }

}
