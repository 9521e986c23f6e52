package io.stampede.reports.html;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stampede.reports.compare.RunComparison;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The HTML page of a run comparison: the table of both runs' figures with deltas and p-values, and
 * per series both runs' percentile spectra overlaid (base solid, candidate dashed). Self-contained
 * like {@link HtmlReport}; its data is in {@code #report-data} too.
 */
public final class CompareReport {
    private CompareReport() {}

    public static String render(RunComparison.Result r) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode data = f.objectNode();
        data.put("format", "stampede-compare/1");
        data.put("base", r.baseId());
        data.put("candidate", r.candidateId());
        data.put("threshold_pct", r.thresholdPct());
        data.put("alpha", r.alpha());
        data.put("regression", r.regression());
        ArrayNode rows = data.putArray("rows");
        for (RunComparison.Row row : r.rows()) {
            ObjectNode o = rows.addObject();
            o.put("series", row.series());
            o.put("metric", row.metric().label());
            o.put("base_us", row.baseUs());
            o.put("candidate_us", row.candidateUs());
            if (Double.isFinite(row.deltaPct())) {
                o.put("delta_pct", ReportData.round6(row.deltaPct()));
            } else {
                o.putNull("delta_pct");
            }
            putP(o, "p_worse", row.pWorse());
            putP(o, "p_better", row.pBetter());
            o.put("exact", row.exact());
            o.put("change", row.change().name().toLowerCase());
        }
        ArrayNode spectra = data.putArray("spectra");
        for (Map.Entry<String, Histogram[]> e : r.merged().entrySet()) {
            ObjectNode s = spectra.addObject();
            s.put("name", e.getKey());
            s.set("base", ReportData.spectrum(e.getKey(), e.getValue()[0]));
            s.set("candidate", ReportData.spectrum(e.getKey(), e.getValue()[1]));
        }
        String title = "Stampede comparison: " + r.baseId() + " vs " + r.candidateId();
        StringBuilder b = new StringBuilder();
        String verdict = r.regression() ? "REGRESSION" : r.shared() ? "no regression" : "no shared series";
        b.append("<header><h1>").append(HtmlReport.esc(title)).append("</h1><span class=\"badge s-")
                .append(r.regression() ? "fail" : r.shared() ? "pass" : "inconclusive").append("\">").append(verdict)
                .append("</span></header>\n");
        b.append("<p>Base <code>").append(HtmlReport.esc(r.baseId())).append("</code>, candidate <code>")
                .append(HtmlReport.esc(r.candidateId())).append("</code>. A regression is a change worse than ")
                .append(HtmlReport.fmt(r.thresholdPct())).append(" % that is significant (one-sided Mann&ndash;Whitney U over "
                        + "the per-interval values, p &lt; ").append(HtmlReport.fmt(r.alpha())).append(").</p>\n");
        b.append("<table class=\"grid\" id=\"compare-table\"><thead><tr><th>series</th><th>metric</th><th>base ms</th>"
                + "<th>candidate ms</th><th>delta</th><th>p (worse)</th><th>intervals</th><th>result</th></tr></thead><tbody>");
        for (RunComparison.Row row : r.rows()) {
            String cls = row.change() == RunComparison.Change.REGRESSION ? "r-fail"
                    : row.change() == RunComparison.Change.IMPROVEMENT ? "r-pass" : "";
            b.append("<tr class=\"").append(cls).append("\"><td><code>").append(HtmlReport.esc(row.series()))
                    .append("</code></td><td>").append(row.metric().label()).append("</td><td class=\"n\">")
                    .append(HtmlReport.fmt(row.baseUs() / 1000.0)).append("</td><td class=\"n\">")
                    .append(HtmlReport.fmt(row.candidateUs() / 1000.0)).append("</td><td class=\"n\">")
                    .append(pct(row.deltaPct())).append("</td><td class=\"n\">").append(p(row.pWorse()))
                    .append("</td><td class=\"n\">").append(row.baseIntervals()).append(" / ").append(row.candidateIntervals())
                    .append("</td><td>").append(row.change().name().toLowerCase().replace('_', ' ')).append("</td></tr>");
        }
        b.append("</tbody></table>\n");
        if (!r.baseOnly().isEmpty() || !r.candidateOnly().isEmpty()) {
            b.append("<p class=\"small\">Only in base: ").append(HtmlReport.esc(String.join(", ", r.baseOnly())))
                    .append("; only in candidate: ").append(HtmlReport.esc(String.join(", ", r.candidateOnly()))).append("</p>\n");
        }
        b.append("<section id=\"spectra\"><h2>Percentile spectra</h2><p class=\"small\">Base solid, candidate dashed; "
                + "x = percentile on a 1/(1&minus;p) log scale.</p><div id=\"charts-spectra\"></div></section>\n");
        b.append("<footer>Generated by Stampede ").append(HtmlReport.esc(Assets.stampedeVersion())).append(" (uPlot ")
                .append(HtmlReport.esc(Assets.uplotVersion())).append(").</footer>\n");
        return Page.assemble(title, b.toString(), HtmlReport.scriptSafeJson(ReportData.toJson(data)), "compare.js");
    }

    static String pct(double d) {
        if (Double.isInfinite(d)) {
            return "+inf";
        }
        return (d > 0 ? "+" : "") + HtmlReport.fmt(d) + " %";
    }

    static String p(double p) {
        return Double.isNaN(p) ? "-" : p < 1e-4 ? String.format("%.1e", p) : HtmlReport.fmt(p);
    }

    private static void putP(ObjectNode o, String k, double p) {
        if (Double.isNaN(p)) {
            o.putNull(k);
        } else {
            o.put(k, p);
        }
    }
}
