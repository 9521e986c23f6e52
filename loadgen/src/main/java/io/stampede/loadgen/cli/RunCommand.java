package io.stampede.loadgen.cli;

import io.stampede.loadgen.DuplicateMode;
import io.stampede.loadgen.IdSource;
import io.stampede.loadgen.LatencySummary;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.LoadGenerator;
import io.stampede.loadgen.LoadStats;
import io.stampede.loadgen.PublishMode;
import io.stampede.loadgen.RunResult;
import io.stampede.loadgen.agent.Coordinator;
import io.stampede.loadgen.TrafficStats;
import io.stampede.loadgen.VerifierConfig;
import io.stampede.loadgen.VerifierStats;
import io.stampede.loadgen.WaitStrategyKind;
import io.stampede.loadgen.internal.Saturating;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import io.stampede.loadgen.MessageShape;
import io.stampede.system.InvalidSystemFile;
import io.stampede.system.SystemFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One paced run with a progress line per second and a final summary. Exit 0, or 1 when verification found lost/duplicated ids or sends failed. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Publish signals at a fixed open-model rate for a duration; optionally verify outcomes.")
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--nats-url", defaultValue = "${env:NATS_URL:-nats://127.0.0.1:4222}",
            description = "NATS server(s), comma-separated for a cluster (default: $NATS_URL or nats://127.0.0.1:4222)")
    String natsUrl;

    @Option(names = {"-r", "--rate"}, defaultValue = "1000", description = "messages per second, 0 = unpaced (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = {"-d", "--duration"}, defaultValue = "10", description = "seconds (default: ${DEFAULT-VALUE})")
    double durationSeconds;

    @Option(names = {"-s", "--payload-size"}, defaultValue = "256", description = "bytes per message (default: ${DEFAULT-VALUE})")
    int payloadSize;

    @Option(names = "--subject", defaultValue = LoadGenConfig.DEFAULT_SUBJECT, description = "subject pattern, {symbol} is replaced (default: ${DEFAULT-VALUE})")
    String subject;

    @Option(names = "--symbols", split = ",", description = "symbols to cycle through (default: AAPL,MSFT,GOOG,AMZN,NVDA,TSLA,META,IBM)")
    List<String> symbols;

    @Option(names = "--duplicate-rate", defaultValue = "0", description = "fraction of messages published again, 0..1 (default: ${DEFAULT-VALUE})")
    double duplicateRate;

    @Option(names = "--duplicate-delay-ms", defaultValue = "0", description = "delay of a duplicate after its original (default: ${DEFAULT-VALUE})")
    long duplicateDelayMs;

    @Option(names = "--duplicate-mode", defaultValue = "app", description = "app (same business id, no Nats-Msg-Id) or stream (same Nats-Msg-Id) (default: ${DEFAULT-VALUE})")
    DuplicateMode duplicateMode;

    @Option(names = {"-m", "--mode"}, defaultValue = "core", description = "core or jetstream (default: ${DEFAULT-VALUE})")
    PublishMode mode;

    @Option(names = "--verify", negatable = true, defaultValue = "false", description = "verify outcomes on --verify-subject (default: ${DEFAULT-VALUE})")
    boolean verify;

    @Option(names = "--verify-subject", defaultValue = VerifierConfig.DEFAULT_SUBJECT, description = "outcome subject (default: ${DEFAULT-VALUE})")
    String verifySubject;

    @Option(names = "--verify-id", defaultValue = "json:id", description = "where outcome ids are: json:<field> or header:<name> (default: ${DEFAULT-VALUE})")
    String verifyId;

    @Option(names = "--grace", defaultValue = "5", description = "seconds an outcome may lag before its id counts as lost (default: ${DEFAULT-VALUE})")
    double graceSeconds;

    @Option(names = "--run-dir", description = "write the run record here (run.json, counters.jsonl, lateness.hlog, e2e.hlog, summary.json: reports/README.md)")
    Path runDir;

    @Option(names = "--connections", defaultValue = "1", description = "NATS connections / publishing threads (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--wait-strategy", defaultValue = "sleeping", description = "publisher wait strategy: sleeping, yielding, blocking, busy_spin (default: ${DEFAULT-VALUE})")
    WaitStrategyKind waitStrategy;

    @Option(names = "--agents", defaultValue = "0", description = "coordinate this many load agents (`loadgen agent`) instead of publishing here; 0 = this process publishes (default: ${DEFAULT-VALUE})")
    int agents;

    @Option(names = "--agents-timeout", defaultValue = "30", description = "seconds to wait for --agents agents to be discoverable (default: ${DEFAULT-VALUE})")
    double agentsTimeoutSeconds;

    @Option(names = "--agent-stale", defaultValue = "3", description = "seconds without a report before an agent is missing and the run degraded (default: ${DEFAULT-VALUE})")
    double agentStaleSeconds;

    @Option(names = "--system", description = "a system file (docs/system-file.md): NATS URL, rate, subject, symbols, mode, body, id place and, "
            + "with --verify, the outcomes come from it; an option given on the command line wins")
    Path systemFile;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "progress and summary to stderr; the last line of stdout is the final summary as one JSON object")
    boolean json;

    /** Takes each traffic key of the file whose option was not given on the command line. */
    private void applySystem(SystemFile sys) {
        SystemFile.Traffic t = sys.traffic();
        if (t.via() != SystemFile.Via.NATS) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--system: loadgen publishes to NATS (traffic.via: nats)");
        }
        if (!given("--nats-url")) {
            natsUrl = sys.nats().url();
        }
        if (!given("--rate")) {
            rate = t.rate();
        }
        if (!given("--subject")) {
            subject = t.subject();
        }
        if (!given("--symbols")) {
            symbols = t.symbols();
        }
        if (!given("--mode")) {
            mode = t.mode() == SystemFile.Mode.CORE ? PublishMode.CORE : PublishMode.JETSTREAM;
        }
        if (!given("--payload-size") && t.size() != null) {
            payloadSize = t.size();
        }
        if (!given("--verify-subject")) {
            // also what the banner names
            verifySubject = sys.outcomes().subject() != null ? sys.outcomes().subject() : "stream " + sys.outcomes().stream();
        }
    }

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = json ? System.err : System.out;
        if (Double.isNaN(durationSeconds) || Double.isNaN(graceSeconds) || Double.isNaN(rate) || Double.isNaN(duplicateRate)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--rate, --duration, --grace and --duplicate-rate must be numbers, not NaN");
        }
        if (duplicateRate > 0 && (duplicateDelayMs < 0 || duplicateDelayMs > LoadGenerator.MAX_DUPLICATE_DELAY_MS)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--duplicate-delay-ms must be within 0.." + LoadGenerator.MAX_DUPLICATE_DELAY_MS + ", got " + duplicateDelayMs);
        }
        SystemFile sys = null;
        if (systemFile != null) {
            try {
                sys = SystemFile.load(systemFile, System.getenv());
            } catch (InvalidSystemFile e) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--system " + e.getMessage());
            }
            applySystem(sys);
        }
        LoadGenConfig.Builder b = LoadGenConfig.builder(natsUrl).baselineRate(rate).payloadSize(payloadSize)
                .subjectPattern(subject).mode(mode).duration(Duration.ofMillis(Saturating.millisFromSeconds(durationSeconds)))
                .runDir(runDir).connections(connections).waitStrategy(waitStrategy).runName("loadgen");
        if (sys != null) {
            b.shape(MessageShape.of(sys.traffic()));
        }
        if (symbols != null && !symbols.isEmpty()) {
            b.symbols(symbols);
        }
        Duration grace = Duration.ofMillis(Saturating.millisFromSeconds(graceSeconds));
        if (verify && sys != null && !given("--verify-subject") && !given("--verify-id")) {
            b.verifier(VerifierConfig.of(sys.outcomes()).withGrace(grace));
        } else if (verify) {
            String[] parts = verifyId.split(":", 2);
            if (parts.length != 2 || !(parts[0].equals("json") || parts[0].equals("header"))) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--verify-id must be json:<field> or header:<name>");
            }
            b.verifier(VerifierConfig.defaults().withSubject(verifySubject)
                    .withId(parts[0].equals("json") ? IdSource.JSON_FIELD : IdSource.HEADER, parts[1]).withGrace(grace));
        }
        LoadGenConfig cfg;
        try {
            cfg = b.build();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), e.getMessage());
        }
        if (agents > 0) {
            return coordinate(cfg, out);
        }
        try (LoadGenerator g = new LoadGenerator(cfg)) {
            if (duplicateRate > 0) {
                g.addDuplicates("cli-duplicates", duplicateRate, duplicateDelayMs, duplicateMode);
            }
            g.start();
            Thread hook = new Thread(() -> {
                try {
                    g.stop(Duration.ZERO);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf(Locale.ROOT, "loadgen run %s: %s msg/s for %.1f s, %d B, %s, mode %s%s%s%n", g.runPrefix(),
                    rate == 0 ? "unpaced" : fmt(rate), durationSeconds, payloadSize, subject, mode.name().toLowerCase(Locale.ROOT),
                    duplicateRate > 0 ? ", duplicates " + duplicateRate + " " + duplicateMode.name().toLowerCase(Locale.ROOT) : "",
                    verify ? ", verifying " + verifySubject : "");
            long next = System.nanoTime() + 1_000_000_000L;
            long lastSent = 0;
            while (!g.scheduleFinished()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    if (g.awaitScheduleEnd(Duration.ofNanos(wait))) {
                        break;
                    }
                    continue;
                }
                next += 1_000_000_000L;
                LoadStats s = g.stats();
                long sent = s.total().sent() + s.total().duplicatesSent();
                out.println(progress(s, sent - lastSent));
                lastSent = sent;
            }
            if (verify) {
                out.printf(Locale.ROOT, "sending done; waiting up to %.1f s for outcomes%n", graceSeconds);
            }
            LoadStats s = g.stop(grace);
            Runtime.getRuntime().removeShutdownHook(hook);
            printSummary(out, s, cfg);
            if (json) {
                printJson(RunResult.of(s));
            }
            boolean bad = s.total().failed() > 0 || (s.verifier() != null && (s.verifier().lost() > 0 || s.verifier().duplicated() > 0));
            return bad ? 1 : 0;
        }
    }

    private int coordinate(LoadGenConfig cfg, PrintStream out) throws Exception {
        try (Coordinator c = new Coordinator(cfg, agents)) {
            c.staleAfter(Duration.ofMillis(Saturating.millisFromSeconds(agentStaleSeconds))).progress(out).connect();
            out.printf(Locale.ROOT, "loadgen run %s: waiting for %d agents on %s%n", c.runPrefix(), agents, natsUrl);
            List<Coordinator.AgentRef> refs = c.awaitAgents(Duration.ofMillis(Saturating.millisFromSeconds(agentsTimeoutSeconds)));
            out.println("agents: " + refs);
            if (duplicateRate > 0) {
                c.addDuplicates("cli-duplicates", duplicateRate, duplicateDelayMs, duplicateMode);
            }
            c.start(refs);
            Thread hook = new Thread(() -> {
                try {
                    c.stopAgents();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf(Locale.ROOT, "loadgen run %s: %s msg/s over %d agents for %.1f s from %d, %d B, %s%s%n", c.runPrefix(),
                    rate == 0 ? "unpaced" : fmt(rate), agents, durationSeconds, c.startAtMs(), payloadSize, subject,
                    verify ? ", verifying " + verifySubject : "");
            RunResult r = c.awaitEnd(Duration.ofMillis(Saturating.millisFromSeconds(agentStaleSeconds) + 10_000));
            Runtime.getRuntime().removeShutdownHook(hook);
            out.println("---- summary " + c.runPrefix() + " (" + agents + " agents" + (r.degraded() ? ", DEGRADED: missing "
                    + r.missing() : "") + ") ----");
            out.printf(Locale.ROOT, "sent %d, duplicates %d, failed %d, %s msg/s; lateness %s%n", r.sent(), r.duplicates(), r.failed(),
                    fmt(r.achievedRate()), latency(r.lateness()));
            for (RunResult.Agent a : r.agents()) {
                out.printf(Locale.ROOT, "  %s (%s): sent %d, failed %d, lateness %s%s%n", a.name(), a.id(), a.sent(), a.failed(),
                        latency(a.lateness()), a.missing() ? "  MISSING" : "");
            }
            VerifierStats v = r.verifier();
            if (v != null) {
                printVerify(out, v);
                if (v.unreported() > 0 || r.degraded()) {
                    out.printf(Locale.ROOT, "verify is DEGRADED: missing agents %s; %d outcomes for originals they may have sent after"
                            + " their last progress are unreported (not counted expected, delivered or lost)%n", r.missing(), v.unreported());
                }
            }
            if (cfg.runDir() != null) {
                out.println("run directory: " + cfg.runDir().toAbsolutePath());
            }
            if (json) {
                printJson(r);
            }
            boolean bad = r.failed() > 0 || r.degraded() || (v != null && (v.lost() > 0 || v.duplicated() > 0));
            return bad ? 1 : 0;
        }
    }

    private static void printJson(RunResult r) throws java.io.IOException {
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r.toMap()));
        System.out.flush();
    }

    static String progress(LoadStats s, long sentThisSecond) {
        TrafficStats t = s.total();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "t=%5.1fs rate=%s/s sent=%d dup=%d failed=%d buffered=%d lateness_p99=%dus",
                s.elapsedSeconds(), fmt(sentThisSecond), t.sent(), t.duplicatesSent(), t.failed(), t.buffered(),
                t.lateness().p99Micros()));
        if (t.acked() > 0) {
            sb.append(" acked=").append(t.acked());
        }
        VerifierStats v = s.verifier();
        if (v != null) {
            sb.append(String.format(Locale.ROOT, " delivered=%d lost=%d duplicated=%d e2e_p99=%dus", v.delivered(), v.lost(),
                    v.duplicated(), v.e2e().p99Micros()));
        }
        return sb.toString();
    }

    static void printSummary(PrintStream out, LoadStats s, LoadGenConfig cfg) {
        TrafficStats t = s.total();
        out.println("---- summary " + s.runPrefix() + " ----");
        out.printf(Locale.ROOT, "scheduled %d, sent %d, duplicates %d, buffered %d, failed %d, acked %d (duplicate acks %d)%n",
                t.scheduled(), t.sent(), t.duplicatesSent(), t.buffered(), t.failed(), t.acked(), t.ackDuplicates());
        double sending = cfg.duration() != null ? Saturating.nanos(cfg.duration()) / 1e9 : s.elapsedSeconds();
        out.printf(Locale.ROOT, "originals %s msg/s over %.2f s of schedule (target %s), elapsed %.2f s%n",
                fmt(t.sent() / Math.max(1e-9, sending)), sending, cfg.unpaced() ? "unpaced" : fmt(cfg.baselineRate()), s.elapsedSeconds());
        out.println("lateness " + latency(t.lateness()));
        VerifierStats v = s.verifier();
        if (v != null) {
            printVerify(out, v);
        }
        if (cfg.runDir() != null) {
            out.println("run directory: " + cfg.runDir().toAbsolutePath());
        }
    }

    static void printVerify(PrintStream out, VerifierStats v) {
        out.printf(Locale.ROOT, "verify: expected %d, delivered %d, lost %d, duplicated %d (extra outcomes %d), unexpected %d, foreign %d, dropped %d%n",
                v.expected(), v.delivered(), v.lost(), v.duplicated(), v.extraOutcomes(), v.unexpected(), v.foreign(), v.dropped());
        out.println("e2e " + latency(v.e2e()));
        if (v.dropped() > 0) {
            out.println("WARNING: the verifier's subscription dropped outcomes (slow consumer): lost is not trustworthy");
        }
    }

    static String latency(LatencySummary l) {
        return String.format(Locale.ROOT, "p50 %d us, p99 %d us, p99.9 %d us, max %d us (%d samples)", l.p50Micros(),
                l.p99Micros(), l.p999Micros(), l.maxMicros(), l.count());
    }

    static String fmt(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
