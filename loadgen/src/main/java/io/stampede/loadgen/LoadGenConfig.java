package io.stampede.loadgen;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Baseline traffic of a {@link LoadGenerator}. Build with {@link #builder(String)}; {@link
 * #validate()} lists every problem.
 *
 * @param natsUrl          NATS server URL
 * @param baselineRate     messages per second before multipliers; 0 = unpaced (as fast as possible)
 * @param maxRate          cap on baseline × multipliers; 0 = no cap
 * @param payloadSize      bytes per message body (JSON signal padded to this size; see {@code PayloadTemplate})
 * @param subjectPattern   subject with an optional {@code {symbol}} placeholder, e.g. {@code signals.{symbol}}
 * @param symbols          symbols cycled through, message i uses symbols[i % n]
 * @param mode             core NATS or JetStream
 * @param duration         stop scheduling after this long; null = until {@link LoadGenerator#close()}
 * @param runDir           run directory to write (run.json, hlogs, counters.jsonl), or null
 * @param verifier         delivery verifier settings, or null for none
 * @param connections      NATS connections (one publishing thread each)
 * @param ringSize         Disruptor ring size (power of two)
 * @param waitStrategy     publisher wait strategy
 * @param pacerSpinNanos   the publisher parks until this long before a message is due, then spins (default 0: park only)
 * @param maxOutstandingAcks JetStream: publishes awaiting an ack before the publisher waits
 * @param runPrefix        id prefix of this run (null: random)
 * @param runName          free text recorded in run.json
 */
public record LoadGenConfig(String natsUrl, double baselineRate, double maxRate, int payloadSize, String subjectPattern,
                            List<String> symbols, PublishMode mode, Duration duration, Path runDir, VerifierConfig verifier,
                            int connections, int ringSize, WaitStrategyKind waitStrategy, long pacerSpinNanos,
                            int maxOutstandingAcks, String runPrefix, String runName) {

    public static final int DEFAULT_PAYLOAD_SIZE = 256;
    public static final String DEFAULT_SUBJECT = "signals.{symbol}";
    public static final List<String> DEFAULT_SYMBOLS = List.of("AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "TSLA", "META", "IBM");
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,15}");

    public LoadGenConfig {
        symbols = symbols == null ? null : List.copyOf(symbols);
    }

    public static Builder builder(String natsUrl) {
        return new Builder(natsUrl);
    }

    public Builder toBuilder() {
        Builder b = new Builder(natsUrl);
        b.baselineRate = baselineRate;
        b.maxRate = maxRate;
        b.payloadSize = payloadSize;
        b.subjectPattern = subjectPattern;
        b.symbols = symbols;
        b.mode = mode;
        b.duration = duration;
        b.runDir = runDir;
        b.verifier = verifier;
        b.connections = connections;
        b.ringSize = ringSize;
        b.waitStrategy = waitStrategy;
        b.pacerSpinNanos = pacerSpinNanos;
        b.maxOutstandingAcks = maxOutstandingAcks;
        b.runPrefix = runPrefix;
        b.runName = runName;
        return b;
    }

    public boolean unpaced() {
        return baselineRate == 0;
    }

    public String subjectFor(String symbol) {
        return subjectPattern.replace("{symbol}", symbol);
    }

    public List<String> validate() {
        List<String> p = new ArrayList<>();
        if (natsUrl == null || natsUrl.isBlank()) {
            p.add("nats url is required");
        }
        if (!(baselineRate >= 0) || Double.isInfinite(baselineRate)) {
            p.add("baseline rate must be >= 0 (0 = unpaced), got " + baselineRate);
        }
        if (!(maxRate >= 0) || Double.isInfinite(maxRate)) {
            p.add("max rate must be >= 0 (0 = no cap), got " + maxRate);
        }
        if (payloadSize < 1 || payloadSize > 8 << 20) {
            p.add("payload size must be within 1..8388608 bytes, got " + payloadSize);
        }
        if (subjectPattern == null || subjectPattern.isBlank() || subjectPattern.contains(" ")
                || subjectPattern.contains("*") || subjectPattern.contains(">")) {
            p.add("subject must be a concrete subject (no spaces or wildcards), got '" + subjectPattern + "'");
        }
        if (symbols == null || symbols.isEmpty()) {
            p.add("at least one symbol is required");
        } else {
            for (String s : symbols) {
                if (s == null || !SYMBOL.matcher(s).matches()) {
                    p.add("symbol must match [A-Za-z0-9_-]{1,32}, got '" + s + "'");
                }
            }
        }
        if (mode == null) {
            p.add("mode is required");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            p.add("duration must be > 0 when given");
        }
        if (verifier != null) {
            p.addAll(verifier.validate());
        }
        if (connections < 1 || connections > 16) {
            p.add("connections must be within 1..16, got " + connections);
        }
        if (ringSize < 64 || Integer.bitCount(ringSize) != 1) {
            p.add("ring size must be a power of two >= 64, got " + ringSize);
        }
        if (waitStrategy == null) {
            p.add("wait strategy is required");
        }
        if (pacerSpinNanos < 0 || pacerSpinNanos > 10_000_000) {
            p.add("pacer spin must be within 0..10 ms, got " + pacerSpinNanos + " ns");
        }
        if (maxOutstandingAcks < 1) {
            p.add("max outstanding acks must be >= 1");
        }
        if (runPrefix != null && !PREFIX.matcher(runPrefix).matches()) {
            p.add("run prefix must match [a-z][a-z0-9]{0,15}, got '" + runPrefix + "'");
        }
        return p;
    }

    /** Mutable builder with the defaults documented in loadgen/README.md. */
    public static final class Builder {
        private final String natsUrl;
        private double baselineRate = 1000;
        private double maxRate = 0;
        private int payloadSize = DEFAULT_PAYLOAD_SIZE;
        private String subjectPattern = DEFAULT_SUBJECT;
        private List<String> symbols = DEFAULT_SYMBOLS;
        private PublishMode mode = PublishMode.CORE;
        private Duration duration;
        private Path runDir;
        private VerifierConfig verifier;
        private int connections = 1;
        private int ringSize = 1 << 14;
        private WaitStrategyKind waitStrategy = WaitStrategyKind.SLEEPING;
        // Pure parking measured better here than park+spin: on two cores a spinning publisher takes the
        // CPU the jnats writer and nats-server need, and its p99 lateness got worse, not better (bench).
        private long pacerSpinNanos = 0;
        private int maxOutstandingAcks = 4096;
        private String runPrefix;
        private String runName = "loadgen";

        private Builder(String natsUrl) {
            this.natsUrl = natsUrl;
        }

        public Builder baselineRate(double v) { baselineRate = v; return this; }
        public Builder maxRate(double v) { maxRate = v; return this; }
        public Builder payloadSize(int v) { payloadSize = v; return this; }
        public Builder subjectPattern(String v) { subjectPattern = v; return this; }
        public Builder symbols(List<String> v) { symbols = v; return this; }
        public Builder mode(PublishMode v) { mode = v; return this; }
        public Builder duration(Duration v) { duration = v; return this; }
        public Builder runDir(Path v) { runDir = v; return this; }
        public Builder verifier(VerifierConfig v) { verifier = v; return this; }
        public Builder connections(int v) { connections = v; return this; }
        public Builder ringSize(int v) { ringSize = v; return this; }
        public Builder waitStrategy(WaitStrategyKind v) { waitStrategy = v; return this; }
        public Builder pacerSpinNanos(long v) { pacerSpinNanos = v; return this; }
        public Builder maxOutstandingAcks(int v) { maxOutstandingAcks = v; return this; }
        public Builder runPrefix(String v) { runPrefix = v; return this; }
        public Builder runName(String v) { runName = v; return this; }

        /** @throws IllegalArgumentException listing every problem */
        public LoadGenConfig build() {
            LoadGenConfig c = new LoadGenConfig(natsUrl, baselineRate, maxRate, payloadSize, subjectPattern, symbols, mode,
                    duration, runDir, verifier, connections, ringSize, waitStrategy, pacerSpinNanos, maxOutstandingAcks,
                    runPrefix, runName);
            List<String> problems = c.validate();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return c;
        }
    }
}
