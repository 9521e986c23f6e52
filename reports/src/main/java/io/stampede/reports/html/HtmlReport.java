package io.stampede.reports.html;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stampede.reports.Criterion;
import io.stampede.reports.LatencyStats;
import io.stampede.reports.RunInfo;
import io.stampede.reports.Series;
import io.stampede.reports.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The HTML report of one run directory: one self-contained file (uPlot, script, style and data
 * inline; nothing is fetched from any host), readable at 1400 px. Content, top to bottom: what
 * ran, the verdict table, the latency percentile spectrum per series, latency over time with the
 * fault windows shaded, throughput, SUT counters and lag, the experiments, and a link to Gatling's
 * own report when the run has one.
 *
 * <p>The figures are embedded as {@code <script type="application/json" id="report-data">}; its
 * {@code summary.series} has one entry per {@code .hlog} file: {@code {"name", "count", "p50_us",
 * "p99_us", "p999_us", "max_us"}}, the {@code getValueAtPercentile} / {@code getMaxValue} of the
 * file's merged (untagged) interval histograms (null without samples).
 *
 * <pre>
 * String html = HtmlReport.render(runDir, true);         // provisional: verdict pending
 * HtmlReport.write(runDir, runDir.resolve("report.html"));
 * </pre>
 */
public final class HtmlReport {
    /** The default file name, in the run directory. */
    public static final String FILE_NAME = "report.html";

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private HtmlReport() {}

    /**
     * The report of {@code runDir} as HTML text. {@code provisional}: mark it as such (the chaos
     * API renders running experiments); a run without a final verdict.json is marked provisional
     * anyway.
     */
    public static String render(Path runDir, boolean provisional) {
        return render(ReportData.read(runDir, provisional, System.currentTimeMillis()));
    }

    /** Writes the report of {@code runDir} to {@code out} (atomically); provisional unless the verdict is final. */
    public static void write(Path runDir, Path out) {
        write(runDir, out, false);
    }

    public static void write(Path runDir, Path out, boolean provisional) {
        String html = render(runDir, provisional);
        Path abs = out.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    static String render(ReportData d) {
        ObjectNode data = d.json();
        String title = "Stampede report: " + d.run.map(RunInfo::id).orElse(d.reader.dir().getFileName().toString());
        StringBuilder body = new StringBuilder(16_384);
        header(body, d, title);
        whatRan(body, d);
        verdict(body, d);
        latency(body, d);
        counters(body, d);
        experiments(body, d);
        gatling(body, d);
        body.append("<footer>Generated ").append(ts(d.generatedAtMs)).append(" by Stampede ")
                .append(esc(Assets.stampedeVersion())).append(" (charts: uPlot ").append(esc(Assets.uplotVersion()))
                .append("). Figures: merged HdrHistogram interval logs; charts downsampled to at most ")
                .append(ReportData.MAX_POINTS).append(" points per series.</footer>\n");
        return Page.assemble(title, body.toString(), scriptSafeJson(ReportData.toJson(data)));
    }

    private static void header(StringBuilder b, ReportData d, String title) {
        b.append("<header><h1>").append(esc(title)).append("</h1>");
        String status = d.verdict.map(v -> v.status().json()).orElse("no verdict");
        b.append("<span class=\"badge s-").append(esc(status.replace(' ', '-'))).append("\">")
                .append(esc(status.toUpperCase())).append("</span></header>\n");
        if (d.provisional) {
            b.append("<p class=\"provisional\" id=\"provisional\">Provisional report: the verdict is ")
                    .append(d.verdict.isEmpty() ? "not written yet" : "pending (not final)")
                    .append("; figures cover what was recorded so far.</p>\n");
        }
    }

    private static void whatRan(StringBuilder b, ReportData d) {
        b.append("<section id=\"run\"><h2>What ran</h2><table class=\"kv\">");
        if (d.run.isEmpty()) {
            b.append("<tr><th>run.json</th><td>absent</td></tr>");
        } else {
            RunInfo r = d.run.get();
            row(b, "type", r.type());
            row(b, "id", r.id());
            if (r.planId() != null) {
                row(b, "plan", r.planId());
            }
            row(b, "producer", r.producer());
            row(b, "target", target(r.params()));
            row(b, "started", r.startedAtMs() == null ? "not yet" : ts(r.startedAtMs()));
            row(b, "ended", r.endedAtMs() == null ? "not yet" : ts(r.endedAtMs()));
            if (r.startedAtMs() != null && r.endedAtMs() != null) {
                row(b, "duration", fmt((r.endedAtMs() - r.startedAtMs()) / 1000.0) + " s");
            }
            StringBuilder params = new StringBuilder();
            r.params().forEach((k, v) -> params.append("<code>").append(esc(k)).append("</code>=")
                    .append(esc(String.valueOf(v))).append(' '));
            b.append("<tr><th>parameters</th><td>").append(params.length() == 0 ? "none" : params.toString().trim())
                    .append("</td></tr>");
        }
        row(b, "Stampede version", Assets.stampedeVersion() + (d.run.map(r -> r.params().get("stampede_version"))
                .map(v -> " (run recorded by " + v + ")").orElse("")));
        row(b, "run directory", d.reader.dir().toAbsolutePath().normalize().toString());
        b.append("</table></section>\n");
    }

    /** The params naming what was targeted, if any (producer-specific keys). */
    private static String target(Map<String, Object> params) {
        StringBuilder t = new StringBuilder();
        for (String k : new String[] {"target", "targets", "service", "url", "base_url", "target_url", "subject", "proxy"}) {
            Object v = params.get(k);
            if (v != null) {
                t.append(t.length() > 0 ? ", " : "").append(k).append('=').append(v);
            }
        }
        return t.length() == 0 ? "-" : t.toString();
    }

    private static void verdict(StringBuilder b, ReportData d) {
        b.append("<section id=\"verdict\"><h2>Verdict</h2>");
        if (d.verdict.isEmpty()) {
            b.append("<p>No verdict.json in this run directory (verdict pending or not applicable).</p></section>\n");
            return;
        }
        Verdict v = d.verdict.get();
        b.append("<p>").append(v.isFinal() ? "Final" : "Live (pending)").append(" verdict of <code>").append(esc(v.id()))
                .append("</code> (").append(esc(v.type())).append("), evaluated ").append(ts(v.evaluatedAtMs()))
                .append(": <strong>").append(esc(v.status().json())).append("</strong></p>");
        b.append("<table class=\"grid\" id=\"criteria\"><thead><tr><th>criterion</th><th>what</th><th>observed</th>"
                + "<th>threshold</th><th>result</th></tr></thead><tbody>");
        for (Criterion c : v.criteria()) {
            String res = c.pass() == null ? "no samples" : c.pass() ? "pass" : "FAIL";
            String cls = c.pass() == null ? "r-none" : c.pass() ? "r-pass" : "r-fail";
            b.append("<tr class=\"").append(cls).append("\"><td><code>").append(c.id().json()).append("</code></td><td>")
                    .append(esc(c.description())).append("</td><td class=\"n\">")
                    .append(c.observed() == null ? "-" : fmt(c.observed())).append("</td><td class=\"n\">")
                    .append(esc(c.id().comparison())).append(' ').append(fmt(c.threshold())).append("</td><td>")
                    .append(res).append("</td></tr>");
        }
        if (v.criteria().isEmpty()) {
            b.append("<tr><td colspan=\"5\">no criteria of its own</td></tr>");
        }
        b.append("</tbody></table>");
        var i = v.integrity();
        b.append("<p class=\"small\">integrity: expected ").append(i.expected()).append(", delivered ").append(i.delivered())
                .append(", lost ").append(i.lost()).append(", duplicated ").append(i.duplicated()).append(", overdue ")
                .append(i.overdue()).append(", unexpected ").append(i.unexpected()).append(", republished ")
                .append(i.republished()).append("</p>");
        var f = v.fault();
        if (f != null) {
            b.append("<p class=\"small\" id=\"fault-counters\">message fault on <code>").append(esc(f.subject()))
                    .append("</code> (").append(esc(f.direction())).append("): matched ").append(f.matched())
                    .append(", delayed ").append(f.delayed()).append(", dropped ").append(f.dropped())
                    .append(", duplicated ").append(f.duplicated()).append(", reordered ").append(f.reordered()).append("</p>");
        }
        for (Verdict.Reason r : v.reasons()) {
            b.append("<p class=\"r-none\" id=\"reason-").append(esc(r.id())).append("\"><strong>").append(esc(r.id()))
                    .append("</strong>: ").append(esc(r.message())).append("</p>");
        }
        if (!v.steps().isEmpty()) {
            b.append("<table class=\"grid\"><thead><tr><th>step</th><th>type</th><th>status</th></tr></thead><tbody>");
            for (Verdict.Step s : v.steps()) {
                b.append("<tr><td><code>").append(esc(s.id())).append("</code></td><td>").append(esc(String.valueOf(s.type())))
                        .append("</td><td>").append(esc(s.status().json())).append(s.isFinal() ? "" : " (live)")
                        .append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        b.append("</section>\n");
    }

    private static void latency(StringBuilder b, ReportData d) {
        b.append("<section id=\"latency\"><h2>Latency</h2>");
        if (d.series.isEmpty()) {
            b.append("<p>No latency series (.hlog) in this run.</p></section>\n");
            return;
        }
        b.append("<table class=\"grid\" id=\"latency-summary\"><thead><tr><th>series</th><th>count</th><th>p50 ms</th>"
                + "<th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr></thead><tbody>");
        for (Series s : d.series.values()) {
            LatencyStats l = s.stats(null);
            b.append("<tr><td><code>").append(esc(s.name())).append("</code></td><td class=\"n\">").append(l.count())
                    .append("</td>");
            for (long us : new long[] {l.p50Us(), l.p90Us(), l.p99Us(), l.p999Us(), l.maxUs()}) {
                b.append("<td class=\"n\">").append(l.count() == 0 ? "-" : fmt(us / 1000.0)).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</tbody></table>");
        b.append("<h3>Percentile spectrum</h3><p class=\"small\">Whole run per series (merged interval histograms); "
                + "x = percentile on a 1/(1&minus;p) log scale, y = latency (ms, log).</p>"
                + "<div class=\"chart\" id=\"chart-spectrum\"></div>");
        b.append("<h3>Latency over time</h3><p class=\"small\">p50, p99 and max per interval; shaded: fault windows, "
                + "labelled with their experiment id.</p><div id=\"charts-latency\"></div></section>\n");
    }

    private static void counters(StringBuilder b, ReportData d) {
        b.append("<section id=\"throughput\"><h2>Throughput</h2>"
                + "<div class=\"chart\" id=\"chart-throughput\"></div>"
                + "<div class=\"chart\" id=\"chart-http\"></div></section>\n");
        b.append("<section id=\"sut\"><h2>SUT counters and consumer lag</h2>"
                + "<div class=\"chart\" id=\"chart-sut\"></div>"
                + "<div class=\"chart\" id=\"chart-lag\"></div></section>\n");
    }

    private static void experiments(StringBuilder b, ReportData d) {
        b.append("<section id=\"experiments\"><h2>Experiments</h2>");
        if (d.experiments.isEmpty()) {
            b.append("<p>No experiment events in timeline.jsonl.</p></section>\n");
            return;
        }
        b.append("<table class=\"grid\" id=\"experiment-table\"><thead><tr><th>experiment</th><th>type / fault</th>"
                + "<th>applied</th><th>reverted</th><th>fault s</th><th>ended</th><th>recovered</th>"
                + "<th>catch-up s</th><th>verdict</th></tr></thead><tbody>");
        for (ReportData.Experiment e : d.experiments) {
            b.append("<tr><td><code>").append(esc(e.id())).append("</code></td><td>").append(esc(nz(e.type())))
                    .append(e.fault() == null ? "" : " / " + esc(e.fault())).append("</td><td>")
                    .append(e.appliedMs() == null ? "-" : ts(e.appliedMs()))
                    .append(e.applyMs() == null ? "" : " <span class=\"small\">(" + fmt(e.applyMs()) + " ms)</span>")
                    .append("</td><td>").append(e.revertFailed() ? "<strong>revert failed</strong> " : "")
                    .append(e.revertedMs() == null ? "-" : ts(e.revertedMs()))
                    .append(e.revertMs() == null ? "" : " <span class=\"small\">(" + fmt(e.revertMs()) + " ms)</span>")
                    .append("</td><td class=\"n\">")
                    .append(e.appliedMs() != null && e.windowEndMs() != null ? fmt((e.windowEndMs() - e.appliedMs()) / 1000.0) : "-")
                    .append("</td><td>").append(e.endedMs() == null ? "-" : ts(e.endedMs()))
                    .append(e.reason() == null ? "" : " (" + esc(e.reason()) + ")").append("</td><td>")
                    .append(e.recovered() != null ? (e.recovered() ? "yes" : "<strong>no</strong>")
                            : e.targetHealthy() != null ? (e.targetHealthy() ? "yes" : "<strong>no</strong>") : "-")
                    .append("</td><td class=\"n\">").append(e.catchUpS() == null ? "-" : fmt(e.catchUpS()))
                    .append("</td><td>").append(esc(e.verdictStatus() != null ? e.verdictStatus() : nz(e.status())))
                    .append("</td></tr>");
        }
        b.append("</tbody></table></section>\n");
    }

    private static void gatling(StringBuilder b, ReportData d) {
        d.gatlingReport.ifPresent(href -> b.append("<section id=\"gatling\"><h2>Gatling</h2><p><a id=\"gatling-report\" href=\"")
                .append(esc(href)).append("\">Gatling's own report</a> (<code>").append(esc(href))
                .append("</code>)</p></section>\n"));
    }

    // ------------------------------------------------------------------ helpers

    private static void row(StringBuilder b, String k, String v) {
        b.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>");
    }

    static String ts(long ms) {
        return TS.format(Instant.ofEpochMilli(ms));
    }

    static String fmt(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        double a = Math.abs(d);
        int scale = a >= 100 ? 1 : a >= 1 ? 3 : 4;
        return new java.math.BigDecimal(d).setScale(scale, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String nz(String s) {
        return s == null ? "-" : s;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** JSON that can sit inside a script element: every '<' (only ever inside strings) as \\u003c. */
    static String scriptSafeJson(String json) {
        return json.replace("<", "\\u003c");
    }
}
