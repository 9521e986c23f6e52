package io.stampede.simulations;

import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunWriter;
import io.stampede.reports.SeriesWriter;
import io.stampede.reports.Summary;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The simulation's own figures, because Gatling 3.15 writes no stats file and its percentiles are
 * whole, approximate milliseconds. Written into {@code runDir} through the reports module's
 * {@link RunWriter} (format: reports/README.md):
 * <ul>
 *   <li>{@code run.json}: type {@code load_test} with the chaos API's experiment id
 *       ({@code -Dstampede.experiment_id}), else {@code simulation}; producer {@code simulations};
 *       the parameters;</li>
 *   <li>{@code http.hlog}: the {@code http} series, response times in µs measured from the
 *       intended send time, one interval per second;</li>
 *   <li>{@code counters.jsonl}: one record per second, source {@code gatling}: counters
 *       {@code requests}, {@code ok}, {@code ko}; gauges {@code elapsed_s}, {@code p99_ms} (last second);</li>
 *   <li>{@code accepted.jsonl}: each second, the sequence numbers of the requests answered 202
 *       in it ({@link #onAccepted}), with the body ids' prefix, so the chaos API can match decisions
 *       to accepted requests;</li>
 *   <li>{@code summary.json}: the last counter record, the series' percentiles and the values
 *       {@code asked_per_s}, {@code achieved_per_s}, {@code response_per_s}, {@code measured_window_s},
 *       {@code steady_sent}, {@code elapsed_s}, written at the end (also on SIGTERM, then with
 *       {@code completed: false}).</li>
 * </ul>
 * Recording is a few atomic increments and a Recorder update per request (lock-free).
 */
public final class RunRecorder {
    /** The {@code source} of this recorder's counter records. */
    public static final String SOURCE = "gatling";
    public static final String PRODUCER = "simulations";
    private static final long HIGHEST_US = SeriesWriter.DEFAULT_HIGHEST_US;

    private final LoadParams params;
    private final ArrivalSchedule schedule;
    private final Path runDir;
    private final Recorder recorder = new Recorder(HIGHEST_US, SeriesWriter.SIGNIFICANT_DIGITS);
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
    /** Sequence numbers answered 202 since the last tick; guarded by itself. */
    private final Object acceptedLock = new Object();
    private long[] accepted = new long[1024];
    private int acceptedCount;
    private final AtomicLong acceptedTotal = new AtomicLong();
    private volatile String idPrefix = "";
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stampede-run-recorder");
        t.setDaemon(true);
        return t;
    });
    private volatile long startEpochMs;
    private volatile long clockNanos;
    // guarded by this (the ticker and finish())
    private RunWriter writer;
    private SeriesWriter http;
    private RunInfo run;
    private Histogram interval;
    private long lastTickMs;
    private CounterRecord lastRecord;
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

    /** {@link #start(String)} without accepted-id tracking' prefix (standalone runs). */
    public void start() {
        start("");
    }

    /**
     * Called from the simulation's before(): opens the run directory and starts the 1 s ticker.
     *
     * @param bodyIdPrefix the prefix of the body ids, written with the accepted sequence numbers
     */
    public synchronized void start(String bodyIdPrefix) {
        idPrefix = bodyIdPrefix;
        startEpochMs = System.currentTimeMillis();
        clockNanos = System.nanoTime();
        String experimentId = params.experimentId() == null ? "" : params.experimentId();
        Path name = runDir.toAbsolutePath().getFileName();
        String id = !experimentId.isBlank() ? experimentId : name == null ? "simulation" : name.toString();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("rps", params.rps());
        p.put("duration_s", params.durationS());
        p.put("ramp_s", params.rampS());
        p.put("payload_size", params.payloadSize());
        p.put("target_url", params.targetUrl());
        p.put("p95_ms", params.p95Ms());
        p.put("max_failed_pct", params.maxFailedPct());
        p.put("latency_from", "intended_send_time");
        p.put("experiment_id", params.experimentId());
        p.put("id_prefix", bodyIdPrefix);
        writer = RunWriter.open(runDir);
        run = RunInfo.of(id, experimentId.isBlank() ? "simulation" : "load_test", PRODUCER, startEpochMs, p).started(startEpochMs);
        writer.writeRun(run);
        http = writer.series(RunFiles.SERIES_HTTP, "HTTP response time from the intended send time", startEpochMs);
        lastTickMs = startEpochMs;
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

    /** The request {@code seq} was answered 202: written to accepted.jsonl at the next tick. */
    public void onAccepted(long seq) {
        synchronized (acceptedLock) {
            if (acceptedCount == accepted.length) {
                accepted = java.util.Arrays.copyOf(accepted, accepted.length * 2);
            }
            accepted[acceptedCount++] = seq;
        }
        acceptedTotal.incrementAndGet();
    }

    private long[] drainAccepted() {
        synchronized (acceptedLock) {
            long[] out = java.util.Arrays.copyOf(accepted, acceptedCount);
            acceptedCount = 0;
            return out;
        }
    }

    private long windowStart() {
        return anchor.get() + (long) (firstSteadyUser * nanosPerUser);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            System.err.println("stampede recorder tick failed: " + e);
        }
    }

    /** One interval of the http series and one gatling counter record. */
    private synchronized void tick() {
        if (writer == null) {
            return;
        }
        long nowMs = System.currentTimeMillis();
        interval = recorder.getIntervalHistogram(interval);
        interval.setStartTimeStamp(lastTickMs);
        interval.setEndTimeStamp(nowMs);
        http.append(interval, null);
        lastTickMs = nowMs;
        Map<String, Number> v = new LinkedHashMap<>();
        v.put("requests", sent.get());
        v.put("ok", ok.get());
        v.put("ko", ko.get());
        v.put("elapsed_s", (System.nanoTime() - clockNanos) / 1e9);
        v.put("p99_ms", interval.getTotalCount() == 0 ? 0.0 : interval.getValueAtPercentile(99) / 1000.0);
        v.put("accepted", acceptedTotal.get());
        writer.appendAccepted(new io.stampede.reports.AcceptedIds(nowMs, idPrefix, drainAccepted()));
        lastRecord = new CounterRecord(nowMs, SOURCE, null, v);
        writer.appendCounters(lastRecord);
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
            if (writer == null) {
                return;
            }
            try {
                tick();
                writeSummary(completed);
            } catch (RuntimeException e) {
                System.err.println("stampede recorder could not write its summary: " + e);
            } finally {
                writer.close();
                writer = null;
            }
        }
    }

    /** Caller holds this. */
    private void writeSummary(boolean completed) {
        long a = anchor.get();
        double sinceWindow = a == Long.MAX_VALUE ? 0 : (System.nanoTime() - windowStart()) / 1e9;
        double window = Math.min(windowS, Math.max(0, sinceWindow));
        Map<String, Number> values = new LinkedHashMap<>();
        values.put("asked_per_s", params.rps());
        values.put("elapsed_s", (System.nanoTime() - clockNanos) / 1e9);
        values.put("measured_window_s", window);
        values.put("steady_sent", steadySent.get());
        values.put("achieved_per_s", window > 0 ? steadySent.get() / window : 0.0);
        values.put("response_per_s", responseRps());
        long endMs = System.currentTimeMillis();
        writer.writeSummary(new Summary(run.id(), completed, endMs, lastRecord == null ? List.of() : List.of(lastRecord),
                writer.latencyStats(), values));
        writer.writeRun(run.ended(endMs));
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
}
