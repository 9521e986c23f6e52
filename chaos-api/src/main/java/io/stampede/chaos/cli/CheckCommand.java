package io.stampede.chaos.cli;

import io.nats.client.Connection;
import io.stampede.chaos.SystemUnderTest;
import io.stampede.system.InvalidSystemFile;
import io.stampede.system.SystemFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code ./stampede check FILE [--probes N] [--timeout-s S]}: proves a system file's contract
 * against the running system before any experiment, one line per check ({@code ok}, {@code warn},
 * {@code FAIL}, each naming the key of the file it concerns), then a summary. In order: the file
 * parses (and uses nothing this version refuses); NATS answers at {@code nats.url} (and
 * {@code nats.monitor_url}); N probe messages published through {@code traffic} come back on
 * {@code outcomes.subject} with their id at {@code outcomes.id} (end-to-end latency, duplicates,
 * {@code outcomes.rules}, {@code outcomes.sent_at}); every named counter is on a scrape endpoint;
 * every target's health URL answers; the backlog's consumer exists; one request to {@code http.url}
 * is accepted. Probes carry {@link SystemFile#PROBE_HEADER}.
 *
 * <p>Exit code 0 when nothing failed (warnings allowed: judging loss is an experiment's verdict's
 * job), 1 when a check failed, 2 on a usage error. Never throws: an exception is a FAIL line.
 */
public final class CheckCommand {
    static final String USAGE = "usage: stampede check FILE [--probes N (default 5)] [--timeout-s S (default 10)]";

    private final CheckReport report;
    private final int probeCount;
    private final Duration timeout;
    private final Map<String, String> env;
    private final CheckHttp http = new CheckHttp();
    private final Probes probes = new Probes();

    CheckCommand(PrintStream out, int probeCount, Duration timeout, Map<String, String> env) {
        this.report = new CheckReport(out);
        this.probeCount = probeCount;
        this.timeout = timeout;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        int probes = 5;
        double timeoutS = 10;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--probes" -> probes = Integer.parseInt(value(args, ++i, "--probes"));
                    case "--timeout-s" -> timeoutS = Double.parseDouble(value(args, ++i, "--timeout-s"));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        if (file != null) {
                            throw new IllegalArgumentException("one system file at a time (got " + file + " and " + args[i] + ")");
                        }
                        file = args[i];
                    }
                }
            }
        } catch (NumberFormatException e) {
            err.println("check: not a number: " + e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("check: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (file == null) {
            err.println(USAGE);
            return 2;
        }
        if (probes < 1 || probes > 10_000) {
            err.println("check: --probes must be in 1..10000, got " + probes);
            return 2;
        }
        if (!(timeoutS > 0) || timeoutS > 3600) {
            err.println("check: --timeout-s must be in (0, 3600], got " + timeoutS);
            return 2;
        }
        return new CheckCommand(out, probes, Duration.ofMillis(Math.round(timeoutS * 1000)), System.getenv()).check(Path.of(file));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    int check(Path path) {
        try {
            SystemFile f = parse(path);
            if (f != null) {
                checkRunning(f);
            }
        } catch (RuntimeException e) {
            report.fail("check", "unexpected " + CheckText.describe(e));
        }
        report.printSummary();
        return report.anyFailed() ? 1 : 0;
    }

    /** The file, and what this version refuses (in the chaos API's words); null when it cannot be used. */
    private SystemFile parse(Path path) {
        SystemFile f;
        try {
            f = SystemFile.load(path, env);
        } catch (InvalidSystemFile e) {
            e.problems().forEach(report::failLine);
            return null;
        }
        List<String> unsupported = SystemUnderTest.unsupported(f);
        unsupported.forEach(report::failLine);
        if (!unsupported.isEmpty()) {
            return null;
        }
        report.ok("file", f.source() + " parses (system " + f.name() + ")");
        return f;
    }

    /** The checks that need no NATS still run when NATS does not answer: one run names every broken key. */
    private void checkRunning(SystemFile f) {
        NatsCheck natsCheck = new NatsCheck(report, http);
        Connection nats = natsCheck.connect(f.nats());
        try {
            natsCheck.monitor(f.nats());
            if (nats != null) {
                new ProbeRoundTrip(report, new ProbePublisher(report, probes), new OutcomeMatcher(report, timeout), probeCount)
                        .run(nats, f);
            }
            if (f.metrics() != null) {
                new MetricsCheck(report, http).check(f.metrics());
            }
            if (f.targets() != null) {
                new TargetsCheck(report, http, env).check(f.targets());
            }
            if (f.backlog() != null && nats != null) {
                new BacklogCheck(report).check(nats, f.backlog());
            }
            if (f.http() != null) {
                new HttpRequestCheck(report, http, probes).check(f, probeCount + 1L);
            }
        } finally {
            if (nats != null) {
                NatsCheck.close(nats);
            }
        }
    }
}
