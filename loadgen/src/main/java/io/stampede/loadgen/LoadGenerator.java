package io.stampede.loadgen;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.stampede.loadgen.internal.ActiveSet;
import io.stampede.loadgen.internal.ConnectionState;
import io.stampede.loadgen.internal.Controls;
import io.stampede.loadgen.internal.Counters;
import io.stampede.loadgen.internal.Pacer;
import io.stampede.loadgen.internal.PacerLoop;
import io.stampede.loadgen.internal.PayloadFiller;
import io.stampede.loadgen.internal.PayloadTemplate;
import io.stampede.loadgen.internal.Publisher;
import io.stampede.loadgen.internal.RunDirectoryWriter;
import io.stampede.loadgen.internal.Saturating;
import io.stampede.loadgen.internal.SendEvent;
import io.stampede.loadgen.internal.SentListener;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes baseline traffic to NATS at an open-model rate, with live controls for experiments.
 *
 * <pre>
 *  pacer thread ──claim──► Disruptor ring (pre-allocated SendEvents) ──► publisher thread per connection ──► jnats
 *   (start + i/rate,          (seq, intended time,                       (payload from template into a
 *    duplicates, re-anchor)    active experiments)                         pooled array, lateness, counters)
 *                                                                                 │
 *  stats ticker (1 s): interval histograms ─► run dir (hlog, counters.jsonl)     ▼ DeliveryVerifier.sent(seq)
 * </pre>
 *
 * Controls are keyed by experiment id and take effect within about a millisecond:
 * rate = baseline × product of active multipliers (capped by {@code maxRate}); the duplicate
 * experiment with the highest rate wins while several are active. Messages sent while an
 * experiment acts carry its id in the {@code Stampede-Experiment} header (originals: the active
 * multiplier ids, comma-separated; duplicates: the duplicate experiment's id).
 *
 * <p>Thread-safe: controls and {@link #stats()} may be called from any thread (e.g. Vert.x
 * handlers; none of them blocks). {@link #start()} and {@link #stop(Duration)} block.
 */
public final class LoadGenerator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);
    /**
     * Longest accepted duplicate delay (1 h). Pending duplicates wait in the pacer's queue (at
     * most 2^20; beyond, the oldest goes early), so a longer delay would only mean "early" anyway.
     */
    public static final long MAX_DUPLICATE_DELAY_MS = 3_600_000;

    private final LoadGenConfig cfg;
    private final String runPrefix;
    private final Counters total = new Counters("total");
    private final AtomicLong scheduled = new AtomicLong();
    private final Map<String, Double> multipliers = new LinkedHashMap<>();
    private final Map<String, ActiveSet.Duplicates> duplicates = new LinkedHashMap<>();
    private final Map<String, Counters> experiments = new ConcurrentHashMap<>();
    private final List<String> experimentOrder = Collections.synchronizedList(new ArrayList<>());
    private final List<Connection> connections = new ArrayList<>();
    private final List<ConnectionState> states = new ArrayList<>();
    private final List<Publisher> publishers = new ArrayList<>();
    private final Instant createdAt = Instant.now();
    private long version;
    /** Last paused state published (for the log line on a change); guarded by controlLock. */
    private boolean pausedPublished;
    /** Guards the experiment maps; never held while blocking, so controls stay instant during stop(). */
    private final Object controlLock = new Object();
    private volatile Controls controls;
    private Disruptor<SendEvent> disruptor;
    private PacerLoop pacerLoop;
    private PayloadFiller filler;
    private Thread pacerThread;
    private Thread ticker;
    private DeliveryVerifier verifier;
    private RunDirectoryWriter writer;
    private volatile boolean started;
    private volatile boolean stopped;
    private volatile boolean closed;
    private volatile long startNanos;
    private volatile Instant startedAt;
    private volatile Instant stoppedAt;
    private volatile LoadStats finalStats;

    public LoadGenerator(LoadGenConfig cfg) {
        List<String> problems = cfg.validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.cfg = cfg;
        this.runPrefix = cfg.runPrefix() != null ? cfg.runPrefix() : SignalIds.newRunPrefix();
    }

    public LoadGenConfig config() {
        return cfg;
    }

    public String runPrefix() {
        return runPrefix;
    }

    /** The run directory, or null. */
    public Path runDir() {
        return cfg.runDir();
    }

    /** The verifier, or null when not configured. */
    public DeliveryVerifier verifier() {
        return verifier;
    }

    /** Connects, subscribes the verifier, starts the pacer. */
    public synchronized LoadGenerator start() throws IOException, InterruptedException {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        try {
            for (int i = 0; i < cfg.connections(); i++) {
                ConnectionState st = new ConnectionState();
                Options o = Options.builder()
                        .server(cfg.natsUrl())
                        .connectionName("stampede-loadgen-" + runPrefix + "-" + i)
                        .bufferSize(1 << 20) // +20-30 % throughput (NOTES-nats.md)
                        .maxReconnects(-1)
                        .reconnectWait(Duration.ofMillis(250))
                        .connectionListener(st)
                        .errorListener(new ErrorListener() { })
                        .build();
                connections.add(Nats.connect(o));
                states.add(st);
            }
            if (cfg.verifier() != null) {
                verifier = new DeliveryVerifier(cfg.verifier(), runPrefix).start(cfg.natsUrl());
            }
            String[] symbols = cfg.symbols().toArray(String[]::new);
            String[] subjects = new String[symbols.length];
            for (int i = 0; i < symbols.length; i++) {
                subjects[i] = cfg.subjectFor(symbols[i]);
            }
            PayloadTemplate template = new PayloadTemplate(runPrefix, symbols, cfg.payloadSize());
            SentListener listener = verifier != null ? verifier : SentListener.NONE;
            io.nats.client.Statistics[] stats = new io.nats.client.Statistics[connections.size()];
            for (int i = 0; i < stats.length; i++) {
                stats[i] = connections.get(i).getStatistics();
            }
            filler = new PayloadFiller(template, stats, cfg.ringSize());
            disruptor = new Disruptor<>(SendEvent::new, cfg.ringSize(), daemonThreads("stampede-publisher"),
                    ProducerType.SINGLE, waitStrategy(cfg.waitStrategy()));
            for (int i = 0; i < cfg.connections(); i++) {
                publishers.add(new Publisher(i, cfg.connections(), connections.get(i), states.get(i), template, subjects,
                        runPrefix, cfg.mode(), total, listener, cfg.maxOutstandingAcks(), new Pacer(cfg.pacerSpinNanos()),
                        cfg.unpaced(), filler.slotState(i)));
            }
            @SuppressWarnings("unchecked")
            com.lmax.disruptor.EventHandler<SendEvent>[] handlers = publishers.toArray(new com.lmax.disruptor.EventHandler[0]);
            disruptor.handleEventsWith(handlers);
            disruptor.start();

            synchronized (controlLock) {
                controls = new Controls(buildActiveSet());
            }
            startedAt = Instant.now();
            if (cfg.runDir() != null) {
                writer = new RunDirectoryWriter(cfg.runDir(), startedAt.toEpochMilli(), verifier != null);
                writer.runJson(runJson(null));
            }
            long durationNanos = Saturating.nanos(cfg.duration()); // 0 (none) or > 0, never an ArithmeticException
            // the pacer thread only tops up the ring: it never needs to spin
            pacerLoop = new PacerLoop(disruptor.getRingBuffer(), controls, new Pacer(0), cfg.unpaced(),
                    durationNanos, scheduled, filler);
            pacerThread = new Thread(pacerLoop, "stampede-pacer");
            pacerThread.setDaemon(true);
            controls.pacerThread(pacerThread);
            startNanos = System.nanoTime();
            pacerThread.start();
            ticker = new Thread(this::tickLoop, "stampede-stats");
            ticker.setDaemon(true);
            ticker.start();
            log.info("loadgen {} started: rate {} msg/s, {} B, subject {}, mode {}", runPrefix,
                    cfg.unpaced() ? "unpaced" : cfg.baselineRate(), cfg.payloadSize(), cfg.subjectPattern(), cfg.mode());
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    // ---- live controls -------------------------------------------------------------------

    /**
     * Multiplies the rate by {@code multiplier} until removed; replaces an earlier value for the
     * same id. When the combined rate falls below {@link LoadGenConfig#MIN_RATE} the traffic
     * pauses ({@link #paused()}) instead of being sent at a meaningless rate.
     *
     * @throws IllegalArgumentException unless {@code multiplier} is a finite number > 0
     */
    public void addMultiplier(String experimentId, double multiplier) {
        requireId(experimentId);
        LoadGenConfig.requireMultiplier(multiplier);
        synchronized (controlLock) {
            counters(experimentId);
            multipliers.put(experimentId, multiplier);
            publish();
        }
    }

    /** @return whether the id had a multiplier */
    public boolean removeMultiplier(String experimentId) {
        synchronized (controlLock) {
            boolean had = multipliers.remove(experimentId) != null;
            if (had) {
                publish();
            }
            return had;
        }
    }

    /**
     * Re-publishes a fraction {@code rate} (0..1] of originals, {@code delayMs} after each, until
     * removed. While several are active the one with the highest rate acts.
     */
    public void addDuplicates(String experimentId, double rate, long delayMs, DuplicateMode mode) {
        requireId(experimentId);
        if (!(rate > 0) || rate > 1) {
            throw new IllegalArgumentException("duplicate rate must be within (0, 1], got " + rate);
        }
        if (delayMs < 0 || delayMs > MAX_DUPLICATE_DELAY_MS) {
            throw new IllegalArgumentException("duplicate delay must be within 0.." + MAX_DUPLICATE_DELAY_MS + " ms, got " + delayMs);
        }
        if (mode == null) {
            throw new IllegalArgumentException("duplicate mode is required");
        }
        synchronized (controlLock) {
            duplicates.put(experimentId, new ActiveSet.Duplicates(experimentId, rate, TimeUnit.MILLISECONDS.toNanos(delayMs),
                    mode, counters(experimentId)));
            publish();
        }
    }

    public boolean removeDuplicates(String experimentId) {
        synchronized (controlLock) {
            boolean had = duplicates.remove(experimentId) != null;
            if (had) {
                publish();
            }
            return had;
        }
    }

    /** Current target rate: baseline × active multipliers, capped; 0 when unpaced or {@link #paused()}. */
    public double currentRate() {
        Controls c = controls;
        return c == null ? targetRate() : c.current().rate();
    }

    /**
     * True when the traffic is paced and its combined rate (baseline × multipliers, capped) is
     * below {@link LoadGenConfig#MIN_RATE}: nothing is sent until a multiplier change lifts it.
     */
    public boolean paused() {
        return !cfg.unpaced() && LoadGenConfig.isBelowFloor(combinedRate(null, 1));
    }

    /**
     * The combined rate (msg/s, capped, possibly below the floor) if {@code experimentId} had
     * multiplier {@code multiplier} (added, or replacing its current one): for admission checks,
     * {@code LoadGenConfig.isBelowFloor(g.rateWith(id, m))}. 0 when unpaced.
     *
     * @throws IllegalArgumentException unless {@code multiplier} is a finite number > 0
     */
    public double rateWith(String experimentId, double multiplier) {
        LoadGenConfig.requireMultiplier(multiplier);
        return cfg.unpaced() ? 0 : combinedRate(experimentId, multiplier);
    }

    private double combinedRate(String extraId, double extra) {
        double[] ms;
        synchronized (controlLock) {
            ms = new double[multipliers.size() + 1];
            int n = 0;
            for (Map.Entry<String, Double> e : multipliers.entrySet()) {
                if (!e.getKey().equals(extraId)) {
                    ms[n++] = e.getValue();
                }
            }
            ms[n++] = extra;
            ms = java.util.Arrays.copyOf(ms, n);
        }
        return LoadGenConfig.combinedRate(cfg.baselineRate(), cfg.maxRate(), ms);
    }

    private static void requireId(String id) {
        if (id == null || id.isBlank() || id.contains(",") || id.contains("\r") || id.contains("\n")) {
            throw new IllegalArgumentException("experiment id must be non-blank without commas or line breaks");
        }
    }

    private Counters counters(String id) {
        return experiments.computeIfAbsent(id, k -> {
            experimentOrder.add(k);
            return new Counters(k);
        });
    }

    private double targetRate() {
        if (cfg.unpaced()) {
            return 0;
        }
        double r = combinedRate(null, 1);
        return LoadGenConfig.isBelowFloor(r) ? 0 : r; // below the floor: paused
    }

    /** Caller holds controlLock. */
    private ActiveSet buildActiveSet() {
        List<String> ids = List.copyOf(multipliers.keySet());
        Counters[] oc = new Counters[ids.size()];
        for (int i = 0; i < oc.length; i++) {
            oc[i] = counters(ids.get(i));
        }
        ActiveSet.Duplicates dup = null;
        for (ActiveSet.Duplicates d : duplicates.values()) {
            if (dup == null || d.rate() > dup.rate()) {
                dup = d;
            }
        }
        return new ActiveSet(++version, targetRate(), ids, oc, ActiveSet.experimentHeader(ids), dup);
    }

    /** Caller holds controlLock. */
    private void publish() {
        if (controls != null) {
            controls.update(buildActiveSet());
        }
        boolean p = paused();
        if (p != pausedPublished) {
            pausedPublished = p;
            log.info("loadgen {} {}: combined rate {} msg/s, floor {} msg/s", runPrefix, p ? "paused" : "resumed",
                    combinedRate(null, 1), LoadGenConfig.MIN_RATE);
        }
    }

    // ---- stats ---------------------------------------------------------------------------

    public LoadStats stats() {
        LoadStats f = finalStats;
        if (f != null) {
            return f;
        }
        Map<String, TrafficStats> exps = new LinkedHashMap<>();
        synchronized (experimentOrder) {
            for (String id : experimentOrder) {
                exps.put(id, traffic(experiments.get(id), 0));
            }
        }
        long allocations = filler == null ? 0 : filler.freshAllocations();
        double elapsed = startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9;
        return new LoadStats(runPrefix, elapsed, currentRate(), traffic(total, scheduled.get()), Collections.unmodifiableMap(exps),
                verifier == null ? null : verifier.stats(), allocations);
    }

    private static TrafficStats traffic(Counters c, long scheduledCount) {
        return new TrafficStats(c.id, c.rate, scheduledCount, c.sent.sum(), c.duplicates.sum(), c.buffered.sum(), c.failed.sum(),
                c.acked.sum(), c.ackDuplicates.sum(), c.latenessSummary);
    }

    /** Cumulative lateness histogram of the whole run as of the last tick (a copy). */
    public Histogram latenessHistogram() {
        synchronized (total) {
            return total.cumulative.copy();
        }
    }

    private void tickLoop() {
        long next = System.nanoTime() + 1_000_000_000L;
        while (!stopped) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                continue;
            }
            next += 1_000_000_000L;
            try {
                tick();
            } catch (IOException | RuntimeException e) {
                log.warn("stats tick failed: {}", e.toString());
            }
        }
    }

    private void tick() throws IOException {
        long now = System.nanoTime();
        tickCounters(total, now, null);
        for (Counters c : experiments.values()) {
            tickCounters(c, now, c.id);
        }
        Histogram e2eInterval = verifier == null ? null : verifier.tick();
        if (writer != null) {
            if (e2eInterval != null) {
                writer.e2e(e2eInterval);
            }
            writer.counters(countersLine());
            writer.flush();
        }
    }

    private void tickCounters(Counters c, long now, String tag) {
        synchronized (c) {
            c.interval = c.lateness.getIntervalHistogram(c.interval);
            c.cumulative.add(c.interval);
            c.latenessSummary = LatencySummary.of(c.cumulative);
            long accepted = c.accepted();
            if (c.lastTickNanos != 0) {
                c.rate = (accepted - c.lastAccepted) * 1e9 / (now - c.lastTickNanos);
            }
            c.lastAccepted = accepted;
            c.lastTickNanos = now;
            if (writer != null && (tag == null || c.interval.getTotalCount() > 0)) {
                writer.lateness(c.interval, tag);
            }
        }
    }

    private Map<String, Object> countersLine() {
        LoadStats s = stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("t_ms", System.currentTimeMillis());
        m.put("elapsed_s", Math.round(s.elapsedSeconds() * 1000) / 1000.0);
        m.put("target_rate", s.targetRate());
        m.put("rate", Math.round(s.total().achievedRate()));
        m.put("scheduled", s.total().scheduled());
        m.put("sent", s.total().sent());
        m.put("duplicates", s.total().duplicatesSent());
        m.put("buffered", s.total().buffered());
        m.put("acked", s.total().acked());
        m.put("ack_duplicates", s.total().ackDuplicates());
        m.put("failed", s.total().failed());
        if (s.verifier() != null) {
            m.put("delivered", s.verifier().delivered());
            m.put("lost", s.verifier().lost());
            m.put("duplicated", s.verifier().duplicated());
        }
        m.put("lateness_p99_us", s.total().lateness().p99Micros());
        if (!s.experiments().isEmpty()) {
            Map<String, Object> e = new LinkedHashMap<>();
            for (TrafficStats t : s.experiments().values()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("sent", t.sent());
                x.put("duplicates", t.duplicatesSent());
                x.put("acked", t.acked());
                x.put("failed", t.failed());
                e.put(t.id(), x);
            }
            m.put("experiments", e);
        }
        return m;
    }

    private Map<String, Object> runJson(LoadStats summary) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "stampede-run/1");
        m.put("kind", "loadgen");
        m.put("name", cfg.runName());
        m.put("run_prefix", runPrefix);
        m.put("created_at", createdAt.toString());
        m.put("started_at", startedAt == null ? null : startedAt.toString());
        m.put("ended_at", stoppedAt == null ? null : stoppedAt.toString());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("nats_url", cfg.natsUrl());
        p.put("rate", cfg.baselineRate());
        p.put("max_rate", cfg.maxRate());
        p.put("duration_s", cfg.duration() == null ? null : cfg.duration().toMillis() / 1000.0);
        p.put("payload_size", cfg.payloadSize());
        p.put("subject", cfg.subjectPattern());
        p.put("symbols", cfg.symbols());
        p.put("mode", cfg.mode().name().toLowerCase(java.util.Locale.ROOT));
        p.put("connections", cfg.connections());
        p.put("wait_strategy", cfg.waitStrategy().name().toLowerCase(java.util.Locale.ROOT));
        p.put("verify", cfg.verifier() != null);
        if (cfg.verifier() != null) {
            p.put("verify_subject", cfg.verifier().subject());
            p.put("verify_id", cfg.verifier().idSource().name().toLowerCase(java.util.Locale.ROOT) + ":" + cfg.verifier().idKey());
            p.put("verify_grace_s", cfg.verifier().grace().toMillis() / 1000.0);
        }
        m.put("params", p);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("lateness", RunDirectoryWriter.LATENESS_HLOG);
        if (cfg.verifier() != null) {
            files.put("e2e", RunDirectoryWriter.E2E_HLOG);
        }
        files.put("counters", RunDirectoryWriter.COUNTERS_JSONL);
        m.put("files", files);
        m.put("histogram_unit", "us");
        if (summary != null) {
            m.put("summary", summaryMap(summary));
        }
        return m;
    }

    private static Map<String, Object> summaryMap(LoadStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        TrafficStats t = s.total();
        m.put("elapsed_s", s.elapsedSeconds());
        m.put("scheduled", t.scheduled());
        m.put("sent", t.sent());
        m.put("duplicates", t.duplicatesSent());
        m.put("buffered", t.buffered());
        m.put("failed", t.failed());
        m.put("acked", t.acked());
        m.put("ack_duplicates", t.ackDuplicates());
        m.put("lateness_us", latency(t.lateness()));
        if (s.verifier() != null) {
            VerifierStats v = s.verifier();
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("expected", v.expected());
            vm.put("delivered", v.delivered());
            vm.put("lost", v.lost());
            vm.put("duplicated", v.duplicated());
            vm.put("extra_outcomes", v.extraOutcomes());
            vm.put("unexpected", v.unexpected());
            vm.put("foreign", v.foreign());
            vm.put("dropped", v.dropped());
            vm.put("e2e_us", latency(v.e2e()));
            m.put("verifier", vm);
        }
        Map<String, Object> e = new LinkedHashMap<>();
        for (TrafficStats x : s.experiments().values()) {
            Map<String, Object> xm = new LinkedHashMap<>();
            xm.put("sent", x.sent());
            xm.put("duplicates", x.duplicatesSent());
            xm.put("failed", x.failed());
            xm.put("acked", x.acked());
            xm.put("ack_duplicates", x.ackDuplicates());
            xm.put("lateness_us", latency(x.lateness()));
            e.put(x.id(), xm);
        }
        m.put("experiments", e);
        return m;
    }

    private static Map<String, Object> latency(LatencySummary l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", l.count());
        m.put("p50", l.p50Micros());
        m.put("p99", l.p99Micros());
        m.put("p999", l.p999Micros());
        m.put("max", l.maxMicros());
        return m;
    }

    // ---- lifecycle -----------------------------------------------------------------------

    /** True once a run with a duration has scheduled (and handed to the ring) all its messages. */
    public boolean scheduleFinished() {
        return pacerLoop != null && pacerLoop.finished();
    }

    /** Waits for a run with a duration to schedule its last message. */
    public boolean awaitScheduleEnd(Duration timeout) throws InterruptedException {
        Thread t = pacerThread;
        if (t == null) {
            return false;
        }
        t.join(Math.max(1, timeout.toMillis()));
        return !t.isAlive();
    }

    /**
     * Stops scheduling, lets the ring drain, flushes, waits for outstanding JetStream acks, gives
     * the verifier {@code grace} to see the last outcomes, writes the final run.json. Idempotent.
     */
    public synchronized LoadStats stop(Duration grace) throws InterruptedException {
        if (finalStats != null) {
            return finalStats;
        }
        if (!started || controls == null) {
            throw new IllegalStateException("not started");
        }
        controls.stop();
        pacerThread.join(10_000);
        try {
            disruptor.shutdown(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("publishers did not drain within 30 s; halting");
            disruptor.halt();
        }
        for (Connection c : connections) {
            try {
                c.flush(Duration.ofSeconds(5));
            } catch (java.util.concurrent.TimeoutException | IllegalStateException e) {
                log.warn("flush at stop: {}", e.toString());
            }
        }
        if (cfg.mode() == PublishMode.JETSTREAM) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && outstandingAcks() > 0) {
                Thread.sleep(10);
            }
        }
        stoppedAt = Instant.now();
        if (verifier != null) {
            verifier.finish(grace);
        }
        stopped = true;
        if (ticker != null) {
            ticker.join(2_000);
        }
        try {
            tick();
        } catch (IOException e) {
            log.warn("final tick: {}", e.toString());
        }
        LoadStats s = stats();
        finalStats = s;
        if (writer != null) {
            try {
                writer.runJson(runJson(s));
                writer.close();
            } catch (IOException e) {
                log.warn("run directory: {}", e.toString());
            }
        }
        return s;
    }

    private int outstandingAcks() {
        int n = 0;
        for (Publisher p : publishers) {
            n += p.outstandingAcks();
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            if (started && finalStats == null && controls != null) {
                stop(Duration.ZERO);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        closed = true;
        stopped = true;
        if (controls != null) {
            controls.stop();
        }
        if (verifier != null) {
            verifier.close();
        }
        for (Connection c : connections) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (writer != null && finalStats == null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // best effort on a failed start
            }
        }
    }

    private static WaitStrategy waitStrategy(WaitStrategyKind k) {
        return switch (k) {
            case SLEEPING -> new SleepingWaitStrategy();
            case YIELDING -> new YieldingWaitStrategy();
            case BLOCKING -> new BlockingWaitStrategy();
            case BUSY_SPIN -> new BusySpinWaitStrategy();
        };
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }
}
