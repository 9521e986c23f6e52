package io.stampede.chaos.cli;

import java.io.PrintStream;

/**
 * The lines of one {@code stampede check} run: each {@code ok}, {@code warn} or {@code FAIL} line
 * printed (and flushed) as soon as it is known, so a slow check shows what already passed; then
 * the summary, with the first failure as the first thing to fix.
 */
final class CheckReport {
    private final PrintStream out;
    private int passed;
    private int warned;
    private int failed;
    private String firstFail;

    CheckReport(PrintStream out) {
        this.out = out;
    }

    void ok(String key, String text) {
        passed++;
        print("ok   " + key + ": " + text);
    }

    void warn(String key, String text) {
        warned++;
        print("warn " + key + ": " + text);
    }

    void fail(String key, String text) {
        failLine(key + ": " + text);
    }

    /** A failure whose text already names its key (the system file's own problems). */
    void failLine(String text) {
        failed++;
        if (firstFail == null) {
            firstFail = text;
        }
        print("FAIL " + text);
    }

    boolean anyFailed() {
        return failed > 0;
    }

    void printSummary() {
        out.println("check: " + passed + " passed, " + warned + (warned == 1 ? " warning, " : " warnings, ") + failed + " failed");
        if (firstFail != null) {
            out.println("first fix: " + firstFail);
        }
        out.flush();
    }

    private void print(String line) {
        out.println(line);
        out.flush();
    }
}
