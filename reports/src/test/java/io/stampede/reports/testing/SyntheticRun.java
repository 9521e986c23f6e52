package io.stampede.reports.testing;

import io.stampede.reports.CounterRecord;
import io.stampede.reports.Observation;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunType;
import io.stampede.reports.RunWriter;
import io.stampede.reports.SeriesWriter;
import io.stampede.reports.Thresholds;
import io.stampede.reports.TimelineEvent;
import io.stampede.reports.VerdictBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * A run directory with known content, written through {@link RunWriter}: one interval per second
 * per series (seeded log-normal latencies, {@code scale} times slower inside the fault window),
 * loadgen / verifier / sut / gatling counters each second, the experiment's timeline and, unless
 * turned off, a final verdict. {@link #expected} keeps, per series, the histogram of every value
 * recorded, to compare a report's figures with.
 */
public final class SyntheticRun {
    public static final long START_MS = 1_764_180_000_000L;

    private String id = "chaos_backpressure_1764180000";
    private RunType type = RunType.BACKPRESSURE;
    private int seconds = 60;
    private int perSecond = 200;
    private long seed = 1;
    private double baseUs = 800;
    private double factor = 1.0;
    private List<String> series = List.of("lateness", "e2e");
    private int faultFrom = 20;
    private int faultTo = 35;
    private double faultScale = 4.0;
    private boolean verdict = true;
    private boolean finalVerdict = true;
    private long lost = 0;
    private long duplicated = 0;
    private Double p95Ms = 120.0;
    private Double koPct = 0.5;
    private io.stampede.reports.FaultCounters faultCounters;
    private final Map<String, Histogram> expected = new LinkedHashMap<>();

    public static SyntheticRun of(String id) {
        SyntheticRun r = new SyntheticRun();
        r.id = id;
        return r;
    }

    public SyntheticRun type(RunType t) { this.type = t; return this; }
    public SyntheticRun seconds(int s) { this.seconds = s; return this; }
    public SyntheticRun perSecond(int n) { this.perSecond = n; return this; }
    public SyntheticRun seed(long s) { this.seed = s; return this; }
    /** Every latency multiplied by {@code f} (a shifted candidate run). */
    public SyntheticRun factor(double f) { this.factor = f; return this; }
    public SyntheticRun series(String... names) { this.series = List.of(names); return this; }
    public SyntheticRun fault(int from, int to, double scale) { faultFrom = from; faultTo = to; faultScale = scale; return this; }
    public SyntheticRun noFault() { faultFrom = -1; faultTo = -1; return this; }
    public SyntheticRun noVerdict() { this.verdict = false; return this; }
    public SyntheticRun pendingVerdict() { this.finalVerdict = false; return this; }
    public SyntheticRun lost(long n) { this.lost = n; return this; }
    public SyntheticRun duplicated(long n) { this.duplicated = n; return this; }
    /** A load test's HTTP p95 (ms) and KO % (null = no samples). */
    /** The verdict's message fault counters (verdict.json {@code fault}). */
    public SyntheticRun faultCounters(io.stampede.reports.FaultCounters f) { this.faultCounters = f; return this; }
    public SyntheticRun loadTest(Double p95, Double ko) { this.p95Ms = p95; this.koPct = ko; return this; }

    /** The whole-run histogram of everything recorded in {@code name}. */
    public Histogram expected(String name) {
        return expected.get(name);
    }

    public Path write(Path dir) {
        Random rnd = new Random(seed);
        long end = START_MS + seconds * 1000L;
        try (RunWriter w = RunWriter.open(dir)) {
            RunInfo info = RunInfo.of(id, type.json(), "test", START_MS, Map.of("rate_multiplier", 10, "duration_s", seconds,
                    "subject", "orders.>")).started(START_MS);
            w.writeRun(finalVerdict ? info.ended(end) : info);
            List<SeriesWriter> writers = new ArrayList<>();
            for (String s : series) {
                writers.add(w.series(s, "synthetic " + s, START_MS));
                expected.put(s, new Histogram(SeriesWriter.DEFAULT_HIGHEST_US, SeriesWriter.SIGNIFICANT_DIGITS));
            }
            if (faultFrom >= 0) {
                w.appendTimeline(new TimelineEvent(START_MS, "started", id, Map.of("type", type.json(), "status", "running", "fault", "rate_multiplier")),
                        new TimelineEvent(START_MS + faultFrom * 1000L, "applied", id,
                                Map.of("type", type.json(), "status", "running", "fault", "rate_multiplier", "apply_ms", 0.4)));
            }
            long sent = 0;
            long sutErrors = 0;
            for (int sec = 0; sec < seconds; sec++) {
                boolean inFault = sec >= faultFrom && sec < faultTo;
                for (int k = 0; k < series.size(); k++) {
                    SeriesWriter sw = writers.get(k);
                    Histogram exp = expected.get(series.get(k));
                    for (int i = 0; i < perSecond; i++) {
                        double us = baseUs * (k + 1) * factor * Math.exp(0.5 * rnd.nextGaussian()) * (inFault ? faultScale : 1);
                        long v = Math.max(1, Math.round(us));
                        sw.record(v);
                        exp.recordValue(v);
                    }
                    sw.writeInterval(START_MS + (sec + 1) * 1000L);
                }
                long ts = START_MS + (sec + 1) * 1000L;
                sent += inFault ? perSecond * 3L : perSecond;
                sutErrors += inFault ? 2 : 0;
                w.appendCounters(
                        new CounterRecord(ts, "loadgen", null, Map.of("sent", sent, "acked", sent - (inFault ? 5 : 0), "failed", inFault ? sec - faultFrom : 0,
                                "rate_per_s", (double) perSecond)),
                        new CounterRecord(ts + 3, "verifier", null, Map.of("delivered", Math.max(0, sent - (inFault ? perSecond : 0)),
                                "overdue_now", inFault ? (sec - faultFrom + 1) * 40L : 0L)),
                        new CounterRecord(ts + 5, "sut", null, Map.of("decisions", sent, "errors", sutErrors,
                                "consumer_lag_now", inFault ? (sec - faultFrom + 1) * 100L : 3L)),
                        new CounterRecord(ts + 7, "gatling", null, Map.of("requests", sent, "ok", sent - sutErrors, "ko", sutErrors)));
            }
            if (faultFrom >= 0 && finalVerdict) {
                w.appendTimeline(new TimelineEvent(START_MS + faultTo * 1000L, "reverting", id, Map.of("type", type.json(), "status", "reverting", "fault", "rate_multiplier")),
                        new TimelineEvent(START_MS + faultTo * 1000L + 2, "reverted", id, Map.of("type", type.json(), "status", "reverted", "fault", "rate_multiplier", "revert_ms", 1.5)),
                        new TimelineEvent(end, "ended", id, Map.of("type", type.json(), "status", "completed", "fault", "rate_multiplier",
                                "reason", "duration elapsed", "recovered", true)));
            }
            if (verdict) {
                Observation o = Observation.builder(id, type).isFinal(finalVerdict)
                        .integrity(sent, sent - lost, duplicated, 0, 0)
                        .requests(sent, sutErrors).loadTest(p95Ms, koPct)
                        .decisions(1000L, 2000L).targetHealthy(true).catchUp(6.5, 20).fault(faultCounters).build();
                w.writeVerdict(VerdictBuilder.build(o, Thresholds.DEFAULTS, end + 1000));
            }
        }
        return dir;
    }
}
