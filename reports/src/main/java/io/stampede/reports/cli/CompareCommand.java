package io.stampede.reports.cli;

import io.stampede.reports.compare.RunComparison;
import io.stampede.reports.html.CompareReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./stampede compare BASE CANDIDATE [--out FILE] [--threshold-pct 10] [--alpha 0.05]}:
 * per shared series, p50 / p99 / p99.9 / max of both runs with deltas and the Mann–Whitney
 * p-value. Exit 1 on a regression (worse by more than the threshold and significant), 0 when none,
 * 2 when the runs share no series (and for bad usage). {@code --out} writes the HTML page with the
 * spectra overlaid. Reads the run directories only.
 */
public final class CompareCommand {
    private CompareCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<Path> dirs = new ArrayList<>();
        Path html = null;
        double threshold = RunComparison.DEFAULT_THRESHOLD_PCT;
        double alpha = RunComparison.DEFAULT_ALPHA;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--out") && i + 1 < args.length) {
                    html = Path.of(args[++i]);
                } else if (a.equals("--threshold-pct") && i + 1 < args.length) {
                    threshold = Double.parseDouble(args[++i]);
                } else if (a.equals("--alpha") && i + 1 < args.length) {
                    alpha = Double.parseDouble(args[++i]);
                } else if (!a.startsWith("-")) {
                    dirs.add(Path.of(a));
                } else {
                    return usage(err);
                }
            }
        } catch (NumberFormatException e) {
            return usage(err);
        }
        if (dirs.size() != 2 || !(threshold >= 0) || !(alpha > 0 && alpha < 1)) {
            return usage(err);
        }
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                err.println("stampede compare: no run directory " + d);
                return 2;
            }
        }
        RunComparison.Result r = RunComparison.compare(dirs.get(0), dirs.get(1), threshold, alpha);
        out.print(table(r));
        if (html != null) {
            try {
                Path abs = html.toAbsolutePath();
                if (abs.getParent() != null) {
                    Files.createDirectories(abs.getParent());
                }
                Files.writeString(abs, CompareReport.render(r), StandardCharsets.UTF_8);
                out.println("html: " + html);
            } catch (IOException e) {
                err.println("stampede compare: cannot write " + html + ": " + e.getMessage());
                return 2;
            }
        }
        if (!r.shared()) {
            return 2;
        }
        return r.regression() ? 1 : 0;
    }

    /** The comparison as text (ends with a newline). */
    public static String table(RunComparison.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("compare ").append(r.baseId()).append(" (base) -> ").append(r.candidateId()).append(" (candidate): regression = worse by > ")
                .append(VerdictCommand.num(r.thresholdPct())).append("% and one-sided Mann-Whitney p < ")
                .append(VerdictCommand.num(r.alpha())).append(" over per-interval values\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"series", "metric", "base ms", "cand ms", "delta", "p(worse)", "intervals", "result"});
        for (RunComparison.Row row : r.rows()) {
            rows.add(new String[] {row.series(), row.metric().label(), VerdictCommand.num(row.baseUs() / 1000.0),
                VerdictCommand.num(row.candidateUs() / 1000.0), pct(row.deltaPct()), p(row.pWorse()) + (row.exact() ? "" : "~"),
                row.baseIntervals() + "/" + row.candidateIntervals(),
                row.change() == RunComparison.Change.REGRESSION ? "REGRESSION" : row.change().name().toLowerCase().replace('_', ' ')});
        }
        int[] w = new int[8];
        for (String[] row : rows) {
            for (int k = 0; k < 8; k++) {
                w[k] = Math.max(w[k], row[k].length());
            }
        }
        if (!r.rows().isEmpty()) {
            for (String[] row : rows) {
                for (int k = 0; k < 8; k++) {
                    boolean right = k >= 2 && k <= 6;
                    String cell = right ? " ".repeat(w[k] - row[k].length()) + row[k] : row[k] + " ".repeat(w[k] - row[k].length());
                    sb.append(k == 7 ? row[k] : cell).append(k == 7 ? "" : "  ");
                }
                sb.append('\n');
            }
        }
        if (!r.baseOnly().isEmpty()) {
            sb.append("only in base: ").append(String.join(", ", r.baseOnly())).append('\n');
        }
        if (!r.candidateOnly().isEmpty()) {
            sb.append("only in candidate: ").append(String.join(", ", r.candidateOnly())).append('\n');
        }
        List<String> reg = r.rows().stream().filter(x -> x.change() == RunComparison.Change.REGRESSION)
                .map(x -> x.series() + " " + x.metric().label()).toList();
        sb.append("result: ").append(!r.shared() ? "the runs share no series (exit 2)"
                : reg.isEmpty() ? "no regression (exit 0)" : "REGRESSION: " + String.join(", ", reg) + " (exit 1)").append('\n');
        return sb.toString();
    }

    private static String pct(double d) {
        if (Double.isInfinite(d)) {
            return "+inf";
        }
        return (d > 0 ? "+" : "") + String.format("%.1f%%", d);
    }

    private static String p(double p) {
        return Double.isNaN(p) ? "-" : p < 1e-4 ? String.format("%.1e", p) : String.format("%.4f", p);
    }

    private static int usage(PrintStream err) {
        err.println("usage: stampede compare BASE_RUN_DIR CANDIDATE_RUN_DIR [--out FILE.html] [--threshold-pct 10] [--alpha 0.05]"
                + "   (exit 0 no regression, 1 regression, 2 no shared series)");
        return 2;
    }
}
