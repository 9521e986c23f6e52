package io.stampede.reports.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stampede.reports.CounterRate;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunReader;
import io.stampede.reports.Series;
import io.stampede.reports.TimelineEvent;
import io.stampede.reports.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The figures of one report: the JSON embedded as {@code <script type="application/json"
 * id="report-data">}. Figures ({@code summary}) come from each series' merged interval histograms,
 * never from averaged percentiles; charts are downsampled to at most {@link #MAX_POINTS} points per
 * series by merging adjacent interval histograms (latency) or averaging per-second rates / taking
 * the maximum of gauges (counters).
 */
final class ReportData {
    /** At most this many points per chart series. */
    static final int MAX_POINTS = 2000;
    /** Percentile iteration density of the spectrum (HdrHistogram's default for its percentile output). */
    static final int SPECTRUM_TICKS_PER_HALF = 5;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Everything read from a run directory once, for the page and for {@link #json()}. */
    final RunReader reader;
    final Optional<RunInfo> run;
    final Optional<Verdict> verdict;
    final Map<String, Series> series;
    final List<CounterRecord> counters;
    final List<TimelineEvent> timeline;
    final List<Experiment> experiments;
    final Optional<String> gatlingReport;
    final boolean provisional;
    final long generatedAtMs;

    /** One experiment as the timeline (and its verdict, when there is one) tells it. */
    record Experiment(String id, String type, String fault, Long startedMs, Long appliedMs, Long revertedMs,
                      boolean revertFailed, Long endedMs, String reason, Boolean recovered, Double applyMs,
                      Double revertMs, String status, Double catchUpS, Boolean targetHealthy, String verdictStatus) {
        /** End of the fault window: reverted, else ended, else null (still applied). */
        Long windowEndMs() {
            return revertedMs != null ? revertedMs : endedMs;
        }
    }

    private ReportData(RunReader reader, boolean provisional, long nowMs) {
        this.reader = reader;
        this.run = reader.run();
        this.verdict = reader.verdict();
        this.series = reader.allSeries();
        this.counters = reader.counters();
        this.timeline = reader.timeline();
        this.provisional = provisional || verdict.isEmpty() || !verdict.get().isFinal();
        this.generatedAtMs = nowMs;
        this.experiments = experiments(reader.dir(), timeline, verdict);
        this.gatlingReport = gatlingReport(reader.dir());
    }

    static ReportData read(Path runDir, boolean provisional, long nowMs) {
        return new ReportData(RunReader.open(runDir), provisional, nowMs);
    }

    /** The report-data object. */
    ObjectNode json() {
        ObjectNode n = F.objectNode();
        n.put("format", "stampede-report/1");
        n.put("provisional", provisional);
        n.put("generated_at_ms", generatedAtMs);
        n.put("stampede_version", Assets.stampedeVersion());
        n.set("run", run.map(r -> tree(r.toJson())).orElse(F.nullNode()));
        n.set("verdict", verdict.map(v -> tree(v.toJson())).orElse(F.nullNode()));
        ObjectNode summary = n.putObject("summary");
        ArrayNode ss = summary.putArray("series");
        for (Series s : series.values()) {
            ss.add(seriesSummary(s.name(), s.merged()));
        }
        ArrayNode spectra = n.putArray("spectra");
        series.values().forEach(s -> spectra.add(spectrum(s.name(), s.merged())));
        ArrayNode latency = n.putArray("latency");
        series.values().forEach(s -> latency.add(latencyOverTime(s)));
        ArrayNode faults = n.putArray("faults");
        long[] span = span();
        for (Experiment e : experiments) {
            if (e.appliedMs() == null) {
                continue;
            }
            ObjectNode f = faults.addObject();
            f.put("experiment_id", e.id());
            f.put("fault", e.fault());
            f.put("from_ms", e.appliedMs());
            Long to = e.windowEndMs();
            f.put("to_ms", to != null ? to : Math.max(span[1], e.appliedMs()));
            f.put("open", to == null);
        }
        ObjectNode charts = n.putObject("charts");
        charts.set("throughput", counterChart(throughputLines(), false));
        charts.set("http", counterChart(List.of(rate("gatling", "ok", "HTTP OK"), rate("gatling", "ko", "HTTP KO")), false));
        charts.set("sut", counterChart(sutLines(false), false));
        charts.set("lag", counterChart(sutLines(true), true));
        ArrayNode ex = n.putArray("experiments");
        experiments.forEach(e -> ex.add(JSON.valueToTree(experimentMap(e))));
        n.put("gatling_report", gatlingReport.orElse(null));
        return n;
    }

    /** {"name","count","p50_us","p99_us","p999_us","max_us"} of one merged histogram; percentiles null without samples. */
    static ObjectNode seriesSummary(String name, Histogram merged) {
        ObjectNode o = F.objectNode();
        o.put("name", name);
        long count = merged.getTotalCount();
        o.put("count", count);
        if (count == 0) {
            o.putNull("p50_us");
            o.putNull("p99_us");
            o.putNull("p999_us");
            o.putNull("max_us");
        } else {
            o.put("p50_us", merged.getValueAtPercentile(50));
            o.put("p99_us", merged.getValueAtPercentile(99));
            o.put("p999_us", merged.getValueAtPercentile(99.9));
            o.put("max_us", merged.getMaxValue());
        }
        return o;
    }

    /**
     * The percentile spectrum (HdrHistogram's percentile distribution): points {@code [x, us]} with
     * {@code x = 1/(1-p)}; the 100th percentile (the maximum) is placed at the percentile of the
     * last single value, {@code x = count}.
     */
    static ObjectNode spectrum(String name, Histogram h) {
        ObjectNode o = F.objectNode();
        o.put("name", name);
        o.put("count", h.getTotalCount());
        ArrayNode pts = o.putArray("points");
        if (h.getTotalCount() == 0) {
            return o;
        }
        double lastX = 1;
        for (HistogramIterationValue v : h.percentiles(SPECTRUM_TICKS_PER_HALF)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            if (p >= 1.0) {
                break;
            }
            double x = 1.0 / (1.0 - p);
            if (x < lastX) {
                continue;
            }
            lastX = x;
            pts.addArray().add(round6(x)).add(h.highestEquivalentValue(v.getValueIteratedTo()));
        }
        pts.addArray().add(Math.max(lastX, (double) h.getTotalCount())).add(h.getMaxValue());
        return o;
    }

    /** p50 / p99 / max per interval (adjacent intervals merged when there are more than MAX_POINTS). */
    static ObjectNode latencyOverTime(Series s) {
        List<Histogram> iv = s.intervals(null);
        int k = Math.max(1, (iv.size() + MAX_POINTS - 1) / MAX_POINTS);
        ObjectNode o = F.objectNode();
        o.put("name", s.name());
        o.put("intervals", iv.size());
        o.put("merged_per_point", k);
        ArrayNode t = o.putArray("t");
        ArrayNode p50 = o.putArray("p50");
        ArrayNode p99 = o.putArray("p99");
        ArrayNode max = o.putArray("max");
        Histogram bucket = new Histogram(3);
        for (int i = 0; i < iv.size(); i += k) {
            bucket.reset();
            for (int j = i; j < Math.min(iv.size(), i + k); j++) {
                bucket.add(iv.get(j));
            }
            t.add(iv.get(i).getStartTimeStamp() / 1000.0);
            if (bucket.getTotalCount() == 0) {
                p50.addNull();
                p99.addNull();
                max.addNull();
            } else {
                p50.add(bucket.getValueAtPercentile(50));
                p99.add(bucket.getValueAtPercentile(99));
                max.add(bucket.getMaxValue());
            }
        }
        return o;
    }

    /** One line of a counter chart: a label and a value per second (epoch s). */
    record Line(String label, TreeMap<Long, Double> bySecond) {}

    private List<Line> throughputLines() {
        List<Line> lines = new ArrayList<>();
        lines.add(rate("loadgen", "sent", "sent"));
        lines.add(rate("loadgen", "acked", "acked"));
        lines.add(rate("verifier", "delivered", "delivered"));
        Set<String> decidedSources = new LinkedHashSet<>();
        for (CounterRecord c : counters) {
            if (c.experimentId() == null && (c.values().containsKey("decided") || c.values().containsKey("decisions"))) {
                decidedSources.add(c.source());
            }
        }
        for (String src : decidedSources) {
            Line a = rate(src, "decided", "decided (" + src + ")");
            lines.add(a.bySecond().isEmpty() ? rate(src, "decisions", "decided (" + src + ")") : a);
        }
        lines.add(rate("loadgen", "failed", "errors (publish failed)"));
        return lines;
    }

    private List<Line> sutLines(boolean gauges) {
        Set<String> names = new TreeSet<>();
        for (CounterRecord c : counters) {
            if (c.source().equals("sut") && c.experimentId() == null) {
                c.values().keySet().stream().filter(k -> CounterRecord.isGauge(k) == gauges).forEach(names::add);
            }
        }
        List<Line> lines = new ArrayList<>();
        for (String name : names) {
            lines.add(gauges ? gauge("sut", name, name) : rate("sut", name, name + " /s"));
        }
        if (gauges) {
            lines.add(gauge("verifier", "overdue_now", "overdue (verifier)"));
            lines.add(gauge("verifier", "lost_now", "lost past grace, live (verifier)"));
        }
        return lines;
    }

    /** Per-second rate of a counter (Prometheus semantics: resets and gaps handled by {@link CounterRate}). */
    Line rate(String source, String name, String label) {
        TreeMap<Long, Double> m = new TreeMap<>();
        for (CounterRate.Interval i : CounterRate.intervals(CounterRate.series(counters, source, null, name))) {
            if (!Double.isNaN(i.perSecond())) {
                m.put(Math.floorDiv(i.toMs(), 1000), i.perSecond());
            }
        }
        return new Line(label, m);
    }

    Line gauge(String source, String name, String label) {
        TreeMap<Long, Double> m = new TreeMap<>();
        for (CounterRate.Sample s : CounterRate.series(counters, source, null, name)) {
            m.put(Math.floorDiv(s.tsMs(), 1000), s.value());
        }
        return new Line(label, m);
    }

    /**
     * Lines on one x axis (epoch s); empty lines are dropped; more than MAX_POINTS seconds are
     * bucketed (rates averaged, gauges: maximum). {"x": [...], "series": [{"label", "values"}]}.
     */
    static ObjectNode counterChart(List<Line> all, boolean gauges) {
        List<Line> lines = all.stream().filter(l -> !l.bySecond().isEmpty()).toList();
        TreeSet<Long> xs = new TreeSet<>();
        lines.forEach(l -> xs.addAll(l.bySecond().keySet()));
        ObjectNode o = F.objectNode();
        ArrayNode x = o.putArray("x");
        ArrayNode ss = o.putArray("series");
        if (xs.isEmpty()) {
            return o;
        }
        long first = xs.first();
        long bucket = Math.max(1, (xs.last() - first + MAX_POINTS) / MAX_POINTS);
        o.put("bucket_s", bucket);
        TreeSet<Long> keys = new TreeSet<>();
        xs.forEach(s -> keys.add(s - (s - first) % bucket));
        keys.forEach(x::add);
        for (Line l : lines) {
            Map<Long, double[]> agg = new TreeMap<>(); // key -> {sum or max, n}
            l.bySecond().forEach((s, v) -> {
                double[] a = agg.computeIfAbsent(s - (s - first) % bucket, k -> new double[] {gauges ? v : 0, 0});
                a[0] = gauges ? Math.max(a[0], v) : a[0] + v;
                a[1]++;
            });
            ObjectNode sn = ss.addObject();
            sn.put("label", l.label());
            ArrayNode vals = sn.putArray("values");
            for (Long k : keys) {
                double[] a = agg.get(k);
                if (a == null) {
                    vals.addNull();
                } else {
                    vals.add(round6(gauges ? a[0] : a[0] / a[1]));
                }
            }
        }
        return o;
    }

    /** [first, last] epoch ms the run covers (run.json, else timeline, series and counters). */
    long[] span() {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        if (run.isPresent()) {
            RunInfo r = run.get();
            lo = r.startedAtMs() != null ? r.startedAtMs() : r.createdAtMs();
            hi = r.endedAtMs() != null ? r.endedAtMs() : lo;
        }
        for (Series s : series.values()) {
            for (Histogram h : s.intervals()) {
                lo = Math.min(lo, h.getStartTimeStamp());
                hi = Math.max(hi, h.getEndTimeStamp());
            }
        }
        for (CounterRecord c : counters) {
            lo = Math.min(lo, c.tsMs());
            hi = Math.max(hi, c.tsMs());
        }
        for (TimelineEvent e : timeline) {
            lo = Math.min(lo, e.tsMs());
            hi = Math.max(hi, e.tsMs());
        }
        return lo == Long.MAX_VALUE ? new long[] {0, 0} : new long[] {lo, hi};
    }

    static Map<String, Object> experimentMap(Experiment e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment_id", e.id());
        m.put("type", e.type());
        m.put("fault", e.fault());
        m.put("started_at_ms", e.startedMs());
        m.put("applied_at_ms", e.appliedMs());
        m.put("reverted_at_ms", e.revertedMs());
        m.put("revert_failed", e.revertFailed());
        m.put("ended_at_ms", e.endedMs());
        m.put("reason", e.reason());
        m.put("recovered", e.recovered());
        m.put("apply_ms", e.applyMs());
        m.put("revert_ms", e.revertMs());
        m.put("status", e.status());
        m.put("catch_up_s", e.catchUpS());
        m.put("target_healthy", e.targetHealthy());
        m.put("verdict", e.verdictStatus());
        return m;
    }

    /**
     * The experiments of the timeline, in order of first event. Recovery and catch-up come from
     * the experiment's verdict: this directory's when it is the experiment's own, else the
     * experiment's sibling run directory ({@code ../<experiment_id>/verdict.json}) when present.
     */
    static List<Experiment> experiments(Path dir, List<TimelineEvent> timeline, Optional<Verdict> own) {
        Map<String, List<TimelineEvent>> byId = new LinkedHashMap<>();
        for (TimelineEvent e : timeline) {
            if (e.experimentId() != null) {
                byId.computeIfAbsent(e.experimentId(), k -> new ArrayList<>()).add(e);
            }
        }
        List<Experiment> out = new ArrayList<>();
        byId.forEach((id, events) -> {
            events.sort(Comparator.comparingLong(TimelineEvent::tsMs));
            String type = null;
            String fault = null;
            String status = null;
            String reason = null;
            Long started = null;
            Long applied = null;
            Long reverted = null;
            Long ended = null;
            Boolean recovered = null;
            Double applyMs = null;
            Double revertMs = null;
            boolean revertFailed = false;
            for (TimelineEvent e : events) {
                Map<String, Object> d = e.data();
                type = str(d.get("type"), type);
                fault = str(d.get("fault"), fault);
                status = str(d.get("status"), status);
                switch (e.event()) {
                    case "started" -> started = first(started, e.tsMs());
                    case "applied" -> {
                        applied = first(applied, e.tsMs());
                        applyMs = num(d.get("apply_ms"), applyMs);
                    }
                    case "reverted" -> {
                        reverted = e.tsMs();
                        revertMs = num(d.get("revert_ms"), revertMs);
                    }
                    case "revert_failed" -> revertFailed = true;
                    case "ended" -> {
                        ended = e.tsMs();
                        reason = str(d.get("reason"), reason);
                        if (d.get("recovered") instanceof Boolean b) {
                            recovered = b;
                        }
                    }
                    default -> { }
                }
            }
            Optional<Verdict> v = own.filter(x -> x.id().equals(id));
            if (v.isEmpty()) {
                v = siblingVerdict(dir, id);
            }
            out.add(new Experiment(id, type, fault, started, applied, reverted, revertFailed, ended, reason, recovered,
                    applyMs, revertMs, status, v.map(x -> x.recovery().catchUpS()).orElse(null),
                    v.map(x -> x.recovery().targetHealthy()).orElse(null), v.map(x -> x.status().json()).orElse(null)));
        });
        return out;
    }

    private static Optional<Verdict> siblingVerdict(Path dir, String id) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent == null || !id.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*")) {
            return Optional.empty();
        }
        Path sibling = parent.resolve(id);
        if (!Files.isDirectory(sibling) || sibling.equals(dir.toAbsolutePath())) {
            return Optional.empty();
        }
        try {
            return RunReader.open(sibling).verdict();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Gatling's own report under runDir/gatling/{@literal *}/index.html (newest), relative to the run directory. */
    static Optional<String> gatlingReport(Path runDir) {
        Path g = runDir.resolve("gatling");
        if (!Files.isDirectory(g)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(g)) {
            return dirs.map(d -> d.resolve("index.html")).filter(Files::isRegularFile)
                    .max(Comparator.comparing(Path::toString))
                    .map(p -> runDir.relativize(p).toString().replace('\\', '/'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String str(Object o, String dflt) {
        return o instanceof String s ? s : dflt;
    }

    private static Double num(Object o, Double dflt) {
        return o instanceof Number n ? n.doubleValue() : dflt;
    }

    private static Long first(Long a, long b) {
        return a != null ? a : b;
    }

    static double round6(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).doubleValue();
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String toJson(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
