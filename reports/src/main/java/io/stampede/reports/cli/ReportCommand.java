package io.stampede.reports.cli;

import io.stampede.reports.html.HtmlReport;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./stampede report RUN_DIR [--out FILE] [--provisional]}: writes the run's HTML report
 * (default {@code RUN_DIR/report.html}). Reads the run directory only. Exit 0 written, 2 bad usage
 * or no run directory, 1 the report could not be written.
 */
public final class ReportCommand {
    private ReportCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir = null;
        Path file = null;
        boolean provisional = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--out") && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (a.startsWith("--out=")) {
                file = Path.of(a.substring("--out=".length()));
            } else if (a.equals("--provisional")) {
                provisional = true;
            } else if (!a.startsWith("-") && dir == null) {
                dir = Path.of(a);
            } else {
                return usage(err);
            }
        }
        if (dir == null) {
            return usage(err);
        }
        if (!Files.isDirectory(dir)) {
            err.println("stampede report: no run directory " + dir);
            return 2;
        }
        Path target = file != null ? file : dir.resolve(HtmlReport.FILE_NAME);
        try {
            HtmlReport.write(dir, target, provisional);
        } catch (UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            err.println("stampede report: " + e.getMessage());
            return 1;
        }
        out.println("report: " + target + " (" + size(target) + ")");
        return 0;
    }

    private static String size(Path p) {
        try {
            long n = Files.size(p);
            return n >= 1024 * 1024 ? String.format("%.2f MiB", n / 1048576.0) : (n + 1023) / 1024 + " KiB";
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static int usage(PrintStream err) {
        err.println("usage: stampede report RUN_DIR [--out FILE] [--provisional]   (default FILE: RUN_DIR/report.html)");
        return 2;
    }
}
