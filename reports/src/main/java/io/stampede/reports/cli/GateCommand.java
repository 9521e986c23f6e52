package io.stampede.reports.cli;

import io.stampede.reports.Problem;
import io.stampede.reports.gate.Gate;
import io.stampede.reports.gate.GateCriteria;
import io.stampede.reports.gate.GateResult;
import io.stampede.reports.gate.JUnitReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./stampede gate RUN_DIR [--criteria FILE] [--junit FILE]}: exit 0 when every criterion
 * passes, 1 when any failed (each printed with observed vs threshold), 2 when nothing failed but
 * the run cannot be judged (and for bad usage or an invalid criteria file). Reads the run
 * directory only.
 */
public final class GateCommand {
    private GateCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir = null;
        Path criteriaFile = null;
        Path junit = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--criteria") || a.equals("--junit")) && i + 1 < args.length) {
                Path p = Path.of(args[++i]);
                if (a.equals("--criteria")) {
                    criteriaFile = p;
                } else {
                    junit = p;
                }
            } else if (a.startsWith("--criteria=")) {
                criteriaFile = Path.of(a.substring("--criteria=".length()));
            } else if (a.startsWith("--junit=")) {
                junit = Path.of(a.substring("--junit=".length()));
            } else if (!a.startsWith("-") && dir == null) {
                dir = Path.of(a);
            } else {
                return usage(err);
            }
        }
        if (dir == null) {
            return usage(err);
        }
        GateCriteria criteria = null;
        if (criteriaFile != null) {
            GateCriteria.Parsed parsed = GateCriteria.read(criteriaFile);
            if (!parsed.ok()) {
                err.println("stampede gate: invalid criteria file " + criteriaFile + ":");
                for (Problem p : parsed.problems()) {
                    err.println("  " + p.field() + ": " + p.problem());
                }
                return GateResult.Outcome.CANNOT_JUDGE.exitCode();
            }
            criteria = parsed.criteria();
        }
        GateResult result;
        try {
            result = Gate.judge(dir, criteria);
        } catch (RuntimeException e) {
            err.println("stampede gate: cannot read " + dir + ": " + e);
            return GateResult.Outcome.CANNOT_JUDGE.exitCode();
        }
        out.print(result.table());
        if (junit != null) {
            try {
                Path abs = junit.toAbsolutePath();
                if (abs.getParent() != null) {
                    Files.createDirectories(abs.getParent());
                }
                Files.writeString(abs, JUnitReport.xml(result), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("stampede gate: cannot write " + junit + ": " + e.getMessage());
                return GateResult.Outcome.CANNOT_JUDGE.exitCode();
            }
        }
        return result.outcome().exitCode();
    }

    private static int usage(PrintStream err) {
        err.println("usage: stampede gate RUN_DIR [--criteria FILE.yaml|FILE.json] [--junit FILE.xml]"
                + "   (exit 0 pass, 1 a criterion failed, 2 cannot judge)");
        return 2;
    }
}
