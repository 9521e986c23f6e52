package io.stampede.reports.cli;

import io.stampede.reports.Criterion;
import io.stampede.reports.FaultCounters;
import io.stampede.reports.Integrity;
import io.stampede.reports.Recovery;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunReader;
import io.stampede.reports.Status;
import io.stampede.reports.Verdict;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./stampede verdict RUN_DIR}: prints {@code RUN_DIR/verdict.json} as a table and exits
 * {@value #EXIT_PASS} when it passed, {@value #EXIT_FAIL} when a criterion failed, {@value
 * #EXIT_CANNOT_JUDGE} when it is inconclusive, pending, missing or unreadable (and for bad usage).
 *
 * <pre>java -cp reports/target/reports.jar io.stampede.reports.cli.VerdictCommand RUN_DIR</pre>
 */
public final class VerdictCommand {
    public static final int EXIT_PASS = 0;
    public static final int EXIT_FAIL = 1;
    public static final int EXIT_CANNOT_JUDGE = 2;

    private VerdictCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The command without {@code System.exit}: returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("usage: stampede verdict RUN_DIR   (prints RUN_DIR/verdict.json; exit 0 pass, 1 fail, 2 inconclusive/pending/missing)");
            return EXIT_CANNOT_JUDGE;
        }
        Path dir = Path.of(args[0]);
        if (!Files.isDirectory(dir)) {
            err.println("stampede verdict: no run directory " + dir);
            return EXIT_CANNOT_JUDGE;
        }
        Optional<Verdict> verdict;
        try {
            verdict = RunReader.open(dir).verdict();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("stampede verdict: unreadable " + dir.resolve(RunFiles.VERDICT_JSON) + ": " + e.getMessage());
            return EXIT_CANNOT_JUDGE;
        }
        if (verdict.isEmpty()) {
            err.println("stampede verdict: no " + RunFiles.VERDICT_JSON + " in " + dir + " (the run has no final verdict yet)");
            return EXIT_CANNOT_JUDGE;
        }
        Verdict v = verdict.get();
        out.print(table(v));
        return exitCode(v.status());
    }

    public static int exitCode(Status s) {
        return switch (s) {
            case PASS -> EXIT_PASS;
            case FAIL -> EXIT_FAIL;
            case INCONCLUSIVE, PENDING -> EXIT_CANNOT_JUDGE;
        };
    }

    /** The verdict as an aligned text table (ends with a newline). */
    public static String table(Verdict v) {
        StringBuilder sb = new StringBuilder();
        sb.append("verdict of ").append(v.id()).append(" (").append(v.type()).append(")")
                .append(v.isFinal() ? ", final" : ", live").append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"criterion", "observed", "threshold", "result"});
        for (Criterion c : v.criteria()) {
            rows.add(new String[] {
                c.id().json(),
                c.observed() == null ? "-" : num(c.observed()),
                c.id().comparison() + " " + num(c.threshold()),
                c.pass() == null ? "no samples" : c.pass() ? "pass" : "FAIL"
            });
        }
        int[] w = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < 4; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        if (v.criteria().isEmpty()) {
            sb.append("(no criteria of its own)\n");
        } else {
            for (String[] r : rows) {
                sb.append(pad(r[0], w[0])).append("  ").append(lpad(r[1], w[1])).append("  ")
                        .append(pad(r[2], w[2])).append("  ").append(r[3]).append('\n');
            }
        }
        Integrity i = v.integrity();
        sb.append("integrity: expected=").append(i.expected()).append(" delivered=").append(i.delivered())
                .append(" lost=").append(i.lost()).append(" duplicated=").append(i.duplicated())
                .append(" overdue=").append(i.overdue()).append(" unexpected=").append(i.unexpected())
                .append(" republished=").append(i.republished()).append('\n');
        Recovery r = v.recovery();
        sb.append("recovery: target_healthy=").append(r.targetHealthy() == null ? "-" : r.targetHealthy())
                .append(" catch_up_s=").append(r.catchUpS() == null ? "-" : num(r.catchUpS()))
                .append(" observed_after_s=").append(r.observedAfterS() == null ? "-" : num(r.observedAfterS()))
                .append(" decisions_during=").append(r.decisionsDuring() == null ? "-" : r.decisionsDuring())
                .append(" decisions_after=").append(r.decisionsAfter() == null ? "-" : r.decisionsAfter())
                .append('\n');
        FaultCounters f = v.fault();
        if (f != null) {
            sb.append("fault: subject=").append(f.subject()).append(" direction=").append(f.direction())
                    .append(" matched=").append(f.matched()).append(" delayed=").append(f.delayed())
                    .append(" dropped=").append(f.dropped()).append(" duplicated=").append(f.duplicated())
                    .append(" reordered=").append(f.reordered()).append('\n');
        }
        for (Verdict.Reason reason : v.reasons()) {
            sb.append("reason: ").append(reason.id()).append(": ").append(reason.message()).append('\n');
        }
        if (!v.steps().isEmpty()) {
            sb.append("steps:\n");
            int sw = v.steps().stream().mapToInt(s -> s.id().length()).max().orElse(0);
            for (Verdict.Step s : v.steps()) {
                sb.append("  ").append(pad(s.id(), sw)).append("  ").append(pad(String.valueOf(s.type()), 18))
                        .append("  ").append(s.status().json()).append(s.isFinal() ? "" : " (live)").append('\n');
            }
        }
        sb.append("status: ").append(v.status() == Status.FAIL ? "FAIL" : v.status().json());
        List<String> failed = v.failedCriteria();
        if (!failed.isEmpty()) {
            sb.append(" (").append(String.join(", ", failed)).append(')');
        } else if (!v.reasons().isEmpty()) {
            sb.append(" (").append(String.join(", ", v.reasons().stream().map(Verdict.Reason::id).toList())).append(')');
        }
        sb.append('\n');
        return sb.toString();
    }

    /** Integral numbers without decimals, others with up to 3. */
    static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return new BigDecimal(d).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String lpad(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
