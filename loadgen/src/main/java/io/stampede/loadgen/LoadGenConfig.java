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
 * @param baselineRate     messages per second before multipliers; 0 = unpaced (as fast as possible),
 *                         otherwise within {@link #MIN_RATE}..{@link #MAX_RATE}
 * @param maxRate          cap on baseline × multipliers; 0 = no cap, otherwise within MIN_RATE..MAX_RATE
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
 * @param runName          run.json's {@code type}: {@code loadgen} (default) for a standalone run, {@code baseline}
 *                         for the chaos API's baseline traffic; lower-case letters, digits and '_' 
 * @param share          this generator's part of a schedule shared with other generators (load agents);
 *                       {@link ScheduleShare#WHOLE} (default) for a standalone run; {@code baselineRate} is
 *                       then this generator's rate (the whole rate / {@code share.count()})
 * @param shape          body template, id place and fixed headers ({@link MessageShape#DEMO}: the demo's signal)
 */
public record LoadGenConfig(String natsUrl, double baselineRate, double maxRate, int payloadSize, String subjectPattern,
                            List<String> symbols, PublishMode mode, Duration duration, Path runDir, VerifierConfig verifier,
                            int connections, int ringSize, WaitStrategyKind waitStrategy, long pacerSpinNanos,
                            int maxOutstandingAcks, String runPrefix, String runName, ScheduleShare share,
                            MessageShape shape) {

    /**
     * The rate floor, in messages per second: an effective rate (baseline × multipliers, capped)
     * below it is not a rate but a pause — nothing is sent and {@link LoadGenerator#paused()} is
     * true — until a control change lifts it back above. 10^-3 msg/s is one message per ~17
     * minutes: slower than that is indistinguishable from stopped within any experiment, and it
     * keeps the interval (10^12 ns) far from the long range. The chaos API refuses an experiment
     * whose combined rate {@link #isBelowFloor(double) is below the floor} (400 naming
     * {@code rate_multiplier}); see {@link LoadGenerator#rateWith(String, double)}.
     */
    public static final double MIN_RATE = 1e-3;
    /**
     * The rate ceiling of a paced schedule, in messages per second: one message per nanosecond,
     * the schedule's resolution. A higher effective rate (a huge multiplier without
     * {@code maxRate}) is clamped to it, which in practice means "as fast as the publishers go".
     */
    public static final double MAX_RATE = 1e9;
    public static final int DEFAULT_PAYLOAD_SIZE = 256;
    public static final String DEFAULT_SUBJECT = "signals.{symbol}";
    public static final List<String> DEFAULT_SYMBOLS = List.of("AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "TSLA", "META", "IBM");
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,15}");
    private static final Pattern RUN_TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    public LoadGenConfig {
        symbols = symbols == null ? null : List.copyOf(symbols);
        share = share == null ? ScheduleShare.WHOLE : share;
        shape = shape == null ? MessageShape.DEMO : shape;
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
        b.share = share;
        b.shape = shape;
        return b;
    }

    /** True when {@code ratePerSec} is below {@link #MIN_RATE} (or NaN): such a rate pauses the traffic. */
    public static boolean isBelowFloor(double ratePerSec) {
        return !(ratePerSec >= MIN_RATE);
    }

    /**
     * The effective rate of a paced baseline: {@code baselineRate × multipliers}, capped by
     * {@code maxRate} when > 0 and by {@link #MAX_RATE}. The product never overflows to infinity or
     * underflows to a wrong 0 through the order of the factors (an intermediate overflow or
     * underflow is redone in log space), so [1e200, 1e200, 1e-300] gives 1e100 × baseline. The
     * result may be below the floor: check it with {@link #isBelowFloor(double)}. NaN, infinite or
     * non-positive multipliers are rejected with IllegalArgumentException, as by
     * {@link LoadGenerator#addMultiplier(String, double)}.
     */
    public static double combinedRate(double baselineRate, double maxRate, double... multipliers) {
        double r = baselineRate;
        boolean lost = false;
        for (double m : multipliers) {
            requireMultiplier(m);
            r *= m;
            lost |= r == 0 || Double.isInfinite(r);
        }
        if (lost && baselineRate > 0) {
            double log = Math.log(baselineRate);
            for (double m : multipliers) {
                log += Math.log(m);
            }
            r = Math.exp(log); // 0 or +infinity only when the true product is out of the double range
        }
        if (maxRate > 0) {
            r = Math.min(r, maxRate);
        }
        return Math.min(r, MAX_RATE);
    }

    /** @throws IllegalArgumentException unless {@code m} is a finite number > 0 */
    public static void requireMultiplier(double m) {
        if (!(m > 0) || Double.isInfinite(m)) {
            throw new IllegalArgumentException("multiplier must be a finite number > 0, got " + m);
        }
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
        if (!(baselineRate == 0 || (baselineRate >= MIN_RATE && baselineRate <= MAX_RATE))) {
            p.add("baseline rate must be 0 (unpaced) or within " + MIN_RATE + ".." + MAX_RATE + " msg/s, got " + baselineRate);
        }
        if (!(maxRate == 0 || (maxRate >= MIN_RATE && maxRate <= MAX_RATE))) {
            p.add("max rate must be 0 (no cap) or within " + MIN_RATE + ".." + MAX_RATE + " msg/s, got " + maxRate);
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
        if (runName == null || !RUN_TYPE.matcher(runName).matches()) {
            p.add("run name (run.json's type) must match " + RUN_TYPE + ", got '" + runName + "'");
        }
        p.addAll(share.validate());
        p.addAll(shape.validate());
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
        private ScheduleShare share = ScheduleShare.WHOLE;
        private MessageShape shape = MessageShape.DEMO;

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
        public Builder share(ScheduleShare v) { share = v; return this; }
        public Builder shape(MessageShape v) { shape = v; return this; }

        /** @throws IllegalArgumentException listing every problem */
        public LoadGenConfig build() {
            LoadGenConfig c = new LoadGenConfig(natsUrl, baselineRate, maxRate, payloadSize, subjectPattern, symbols, mode,
                    duration, runDir, verifier, connections, ringSize, waitStrategy, pacerSpinNanos, maxOutstandingAcks,
                    runPrefix, runName, share, shape);
            List<String> problems = c.validate();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return c;
        }
    }
}
