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
    private final AtomicLong anchor = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastSteadyDone = new AtomicLong();
    private final AtomicLong steadyDone = new AtomicLong();
    /** First user of the steady phase, one past the ramp so rounding of the ramp cannot matter. */
    private final long firstSteadyUser;
    private final double nanosPerUser;
    /** The steady window: from the first steady user's due time to the last one's, plus 1/rps. */
    private final double windowS;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stampede-run-recorder");
        t.setDaemon(true);
        return t;
    });
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
        this.firstSteadyUser = params.rampS() > 0 ? schedule.rampUsers() + 1 : 0;
        this.nanosPerUser = 1e9 / params.rps();
        double steadyUsers = Math.floor(params.rps() * params.durationS());
        this.windowS = Math.max(1, steadyUsers - (firstSteadyUser - schedule.rampUsers())) / params.rps();
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
        clockNanos = System.nanoTime();
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

    /**
     * Next user's sequence number (0-based). Steady-phase users also refine the anchor of the
     * intended-time line {@code anchor + k / rps}: Gatling never starts a user before its due time,
     * so {@code now - k / rps} bounds the anchor from above and the smallest value seen is the best
     * estimate. Fitting the line from the steady users themselves makes it independent of how
     * Gatling rounds the ramp and of the first user's start (class loading, JIT).
     */
    public long nextUser() {
        long seq = users.getAndIncrement();
        if (seq >= firstSteadyUser) {
            anchor.accumulateAndGet(System.nanoTime() - (long) (seq * nanosPerUser), Math::min);
        }
        return seq;
    }

    /** Just before the request leaves; returns the time to pass to {@link #onDone}. */
    public long onSend(long seq) {
        long now = System.nanoTime();
        sent.incrementAndGet();
        if (seq >= firstSteadyUser && now < windowStart() + (long) (windowS * 1e9)) {
            steadySent.incrementAndGet();
        }
        return now;
    }

    /**
     * Right after the response (or the failure). Steady users' latency counts from the intended
     * send time (generator lag included: no coordinated omission); ramp users' from their actual
     * start, since the ramp is not part of the measured window.
     */
    public void onDone(long seq, long sentNanos, boolean success) {
        long now = System.nanoTime();
        long from = sentNanos;
        if (seq >= firstSteadyUser) {
            from = Math.min(sentNanos, anchor.get() + (long) (seq * nanosPerUser));
            lastSteadyDone.accumulateAndGet(now, Math::max);
            steadyDone.incrementAndGet();
        }
        long us = Math.max(0, (now - from) / 1000);
        recorder.recordValue(Math.min(us, HIGHEST_US));
        (success ? ok : ko).incrementAndGet();
    }

    private long windowStart() {
        return anchor.get() + (long) (firstSteadyUser * nanosPerUser);
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
        double elapsed = (System.nanoTime() - clockNanos) / 1e9;
        long a = anchor.get();
        double sinceWindow = a == Long.MAX_VALUE ? 0 : (System.nanoTime() - windowStart()) / 1e9;
        double window = Math.min(windowS, Math.max(0, sinceWindow));
        String json = String.format(Locale.ROOT,
                "{\"completed\":%s,\"asked_rps\":%s,\"duration_s\":%d,\"ramp_s\":%d,\"payload_size\":%d,"
                        + "\"target_url\":\"%s\",\"start_epoch_ms\":%d,\"elapsed_s\":%.3f,"
                        + "\"count\":%d,\"ok\":%d,\"ko\":%d,\"sent\":%d,"
                        + "\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
                        + "\"measured_window_s\":%.3f,\"steady_sent\":%d,\"achieved_rps\":%.3f,\"response_rps\":%.3f,"
                        + "\"latency_from\":\"intended_send_time\",\"hlog\":\"latency.hlog\"}%n",
                completed, params.rps(), params.durationS(), params.rampS(), params.payloadSize(),
                params.targetUrl().replace("\"", "\\\""), startEpochMs, elapsed,
                ok.get() + ko.get(), ok.get(), ko.get(), sent.get(),
                ms(total, 50), ms(total, 95), ms(total, 99), total.getMaxValue() / 1000.0,
                window, steadySent.get(), window > 0 ? steadySent.get() / window : 0.0, responseRps());
        // Write then rename so a reader never sees half a summary.
        Path tmp = runDir.resolve("summary.json.tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, runDir.resolve("summary.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Steady-phase responses per second, from the window start to the last response: the target's throughput. */
    private double responseRps() {
        long done = lastSteadyDone.get();
        long start = anchor.get() == Long.MAX_VALUE ? 0 : windowStart();
        if (start == 0 || done <= start) {
            return 0.0;
        }
        return steadyDone.get() / ((done - start) / 1e9);
    }

    private static double ms(Histogram h, double pct) {
        return h.getTotalCount() == 0 ? 0.0 : h.getValueAtPercentile(pct) / 1000.0;
    }

}
