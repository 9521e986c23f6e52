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
import io.stampede.loadgen.internal.Saturating;
import io.stampede.loadgen.internal.SendEvent;
import io.stampede.loadgen.internal.SentListener;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunWriter;
import io.stampede.reports.SeriesWriter;
import io.stampede.reports.Summary;
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
 *  stats ticker (1 s): interval histograms, counters ─► RunWriter (reports)     ▼ DeliveryVerifier.sent(seq)
 * </pre>
 *
 * Controls are keyed by experiment id and take effect within about a millisecond:
 * rate = baseline × product of active multipliers (capped by {@code maxRate}); the duplicate
 * experiment with the highest rate wins while several are active. Messages sent while an
 * experiment acts carry its id in the {@code Stampede-Experiment} header (originals: the active
 * multiplier ids, then the ids marked with {@link #tag(String)}, comma-separated; duplicates: the
 * duplicate experiment's id). The header is built once per change of that set, never per message.
 *
 * <p>Thread-safe: controls and {@link #stats()} may be called from any thread (e.g. Vert.x
 * handlers; none of them blocks). {@link #start()} and {@link #stop(Duration)} block.
 */
public final class LoadGenerator implements LoadControls, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);
    /**
     * Longest accepted duplicate delay (1 h). Pending duplicates wait in the pacer's queue (at
     * most 2^20; beyond, the oldest goes early), so a longer delay would only mean "early" anyway.
     */
    public static final long MAX_DUPLICATE_DELAY_MS = 3_600_000;
    /** run.json's {@code producer} and the {@code source} of the traffic's counter records. */
    public static final String SOURCE = "loadgen";
    /** The {@code source} of the delivery verifier's counter records. */
    public static final String VERIFIER_SOURCE = "verifier";

    private final LoadGenConfig cfg;
    private final String runPrefix;
    private final Counters total = new Counters(TrafficStats.TOTAL_ID);
    private final AtomicLong scheduled = new AtomicLong();
    private final Map<String, Double> multipliers = new LinkedHashMap<>();
    private final Map<String, ActiveSet.Duplicates> duplicates = new LinkedHashMap<>();
    /** Experiments tagged for the header (any type), in the order tagged; guarded by controlLock. */
    private final java.util.Set<String> tags = new java.util.LinkedHashSet<>();
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
    /**
     * Unpaced, bodies of at least this many bytes are filled on the publisher thread instead of the
     * pacer's. Measured (loadgen/README.md "Benchmark"): at 1 KiB the publisher's fill gave 0.88-0.91
     * of the raw loop against 0.84 on the pacer; at 16 B the pacer's gave 0.95-0.98 against 0.83-0.88
     * (there the publisher is the bottleneck and the pacer's copy runs beside it). Property
     * {@code stampede.unpacedFillOnPublisherFrom} overrides it for measuring (0: always, a huge value: never).
     */
    static final int UNPACED_FILL_ON_PUBLISHER_FROM = Integer.getInteger("stampede.unpacedFillOnPublisherFrom", 512);
    private Thread pacerThread;
    private Thread ticker;
    private DeliveryVerifier verifier;
    /** The run directory's writer (null without a run dir); its series and records are the ticker's. */
    private RunWriter writer;
    private SeriesWriter latenessSeries;
    private SeriesWriter e2eSeries;
    private RunInfo runInfo;
    private long lastTickMs;
    private List<CounterRecord> lastRecords = List.of();
    private volatile boolean started;
    private volatile boolean stopped;
    private volatile boolean closed;
    private volatile long startNanos;
    private volatile Instant startedAt;
    private volatile Instant stoppedAt;
    private volatile LoadStats finalStats;
    private volatile IntervalListener intervalListener;
    private volatile SentListener sentListener;

    /**
     * Receives the whole run's lateness of each one-second interval, as recorded (µs, exact: adding
     * them gives the run's histogram), with a snapshot of the stats taken right after; a load agent
     * sends them to its coordinator.
     */
    public interface IntervalListener {
        /**
         * On the stats thread, once a second, and once more with {@code last} = true at {@link #stop}.
         * {@code lateness} is reused after the call returns: encode or copy it, do not keep it.
         */
        void onInterval(Histogram lateness, LoadStats stats, boolean last);
    }

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

    /**
     * Unpaced with one connection and bodies of {@link #UNPACED_FILL_ON_PUBLISHER_FROM} bytes or
     * more, one thread does everything: no schedule to wait for, so no ring and no hand-over (the
     * raw jnats loop it is measured against has two threads, the caller and jnats' writer; so does
     * this). Measured at 1 KiB: 0.90-0.96 of the raw loop against 0.81-0.86 through the ring; at
     * 16-128 B the ring wins (0.90-0.97 against 0.77-0.87), because there the pacer writing bodies
     * runs beside a publisher that is busy inside jnats. {@code stampede.unpacedDirect=false} keeps
     * the ring for measuring.
     */
    private boolean direct() {
        return fillsOnPublisher() && cfg.connections() == 1 && !"false".equals(System.getProperty("stampede.unpacedDirect"));
    }

    private boolean fillsOnPublisher() {
        return cfg.unpaced() && cfg.payloadSize() >= UNPACED_FILL_ON_PUBLISHER_FROM;
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

    /** Sets the {@link IntervalListener} (before {@link #start()}). */
    public LoadGenerator onInterval(IntervalListener l) {
        intervalListener = l;
        return this;
    }

    /**
     * Also tells {@code l} about every original handed to NATS and every one that failed (before
     * {@link #start()}): a load agent reports them to its coordinator's verifier. Called on the
     * publisher threads and JetStream ack callbacks, per message: it must not block or allocate.
     */
    public LoadGenerator onSent(SentListener l) {
        sentListener = l;
        return this;
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
            PayloadTemplate template = new PayloadTemplate(runPrefix, symbols, cfg.payloadSize(), cfg.shape().body());
            SentListener listener = SentListener.both(verifier != null ? verifier : SentListener.NONE, sentListener);
            io.nats.client.Statistics[] stats = new io.nats.client.Statistics[connections.size()];
            for (int i = 0; i < stats.length; i++) {
                stats[i] = connections.get(i).getStatistics();
            }
            filler = new PayloadFiller(template, stats, cfg.ringSize());
            boolean direct = direct();
            for (int i = 0; i < cfg.connections(); i++) {
                publishers.add(new Publisher(i, cfg.connections(), connections.get(i), states.get(i), template, subjects,
                        runPrefix, cfg.mode(), total, listener, cfg.maxOutstandingAcks(), new Pacer(cfg.pacerSpinNanos()),
                        cfg.unpaced(), filler.slotState(i), !direct && fillsOnPublisher() ? filler : null, cfg.shape()));
            }
            if (!direct) {
                disruptor = new Disruptor<>(SendEvent::new, cfg.ringSize(), daemonThreads("stampede-publisher"),
                        ProducerType.SINGLE, waitStrategy(cfg.waitStrategy()));
                @SuppressWarnings("unchecked")
                com.lmax.disruptor.EventHandler<SendEvent>[] handlers = publishers.toArray(new com.lmax.disruptor.EventHandler[0]);
                disruptor.handleEventsWith(handlers);
                disruptor.start();
            }

            synchronized (controlLock) {
                controls = new Controls(buildActiveSet());
            }
            startedAt = Instant.now();
            if (cfg.runDir() != null) {
                openRunDirectory(startedAt.toEpochMilli());
            }
            long durationNanos = Saturating.nanos(cfg.duration()); // 0 (none) or > 0, never an ArithmeticException
            // the pacer thread only tops up the ring: it never needs to spin
            ScheduleShare share = cfg.share();
            long startAtNanos = share.startAtEpochMs() == 0 ? 0
                    : System.nanoTime() + (share.startAtEpochMs() * 1000 - io.stampede.loadgen.internal.EpochClock.nowEpochMicros()) * 1000;
            // direct: this one thread schedules, fills and publishes (see PacerLoop.Slots.direct)
            pacerLoop = new PacerLoop(direct ? PacerLoop.Slots.direct(publishers.get(0), 1 << 14)
                    : PacerLoop.Slots.of(disruptor.getRingBuffer()), controls, new Pacer(0), cfg.unpaced(),
                    durationNanos, scheduled, !direct && fillsOnPublisher() ? null : filler, share.count(), share.index(), startAtNanos);
            pacerThread = new Thread(pacerLoop, direct ? "stampede-publisher-0" : "stampede-pacer");
            pacerThread.setDaemon(true);
            controls.pacerThread(pacerThread);
            startNanos = startAtNanos != 0 && startAtNanos - System.nanoTime() > 0 ? startAtNanos : System.nanoTime();
            pacerThread.start();
            ticker = io.stampede.loadgen.internal.SecondTicker.start("stampede-stats", () -> stopped, () -> tick(false), log, "stats tick");
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

    /**
     * Marks an experiment of any type active for tagging until {@link #untag(String)}: originals
     * whose turn in the schedule comes after this call carry its id in {@code Stampede-Experiment}
     * (the ring holds at most {@link io.stampede.loadgen.internal.PacerLoop#LOOKAHEAD_NANOS} of
     * schedule, so messages due within ~2 ms of the call may still go without it), and its traffic
     * counters ({@code stats().experiments()}) count them. Idempotent; does not change the rate
     * or the schedule. The header value is rebuilt here (copy-on-write), not per message.
     *
     * @throws IllegalArgumentException for a blank id or one with a comma or a line break
     */
    public void tag(String experimentId) {
        requireId(experimentId);
        synchronized (controlLock) {
            counters(experimentId);
            if (tags.add(experimentId)) {
                publish();
            }
        }
    }

    /** @return whether the id was tagged; a multiplier of the same id keeps its own place in the header */
    public boolean untag(String experimentId) {
        synchronized (controlLock) {
            boolean had = tags.remove(experimentId);
            if (had) {
                publish();
            }
            return had;
        }
    }

    /**
     * The {@code Stampede-Experiment} ids originals carry from now on: active multipliers in the
     * order added, then tagged ids in the order tagged, each once. Empty when none acts.
     */
    public List<String> experimentIds() {
        synchronized (controlLock) {
            return headerIds();
        }
    }

    /** Caller holds controlLock. */
    private List<String> headerIds() {
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>(multipliers.keySet());
        ids.addAll(tags);
        return List.copyOf(ids);
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

    /**
     * Drops an experiment's per-experiment counters (its window closed and its acks are in): a
     * long-lived generator, such as the chaos API's baseline, stays bounded. Its totals remain in
     * the whole-run counters. Returns whether there was anything to drop.
     */
    public boolean forget(String experimentId) {
        Counters c = experiments.remove(experimentId);
        if (c != null) {
            synchronized (experimentOrder) {
                experimentOrder.remove(experimentId);
            }
        }
        return c != null;
    }

    /** How many experiments have per-experiment counters now. */
    public int trackedExperiments() {
        return experiments.size();
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
        List<String> ids = headerIds();
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
        double elapsed = startNanos == 0 ? 0 : Math.max(0, System.nanoTime() - startNanos) / 1e9;
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

    private void tick(boolean last) {
        long now = System.nanoTime();
        long nowMs = System.currentTimeMillis();
        long fromMs = lastTickMs;
        tickCounters(total, now, null, fromMs, nowMs);
        for (Counters c : experiments.values()) {
            tickCounters(c, now, c.id, fromMs, nowMs);
        }
        Histogram e2eInterval = verifier == null ? null : verifier.tick();
        if (writer != null) {
            if (e2eInterval != null && e2eSeries != null) {
                e2eInterval.setStartTimeStamp(fromMs);
                e2eInterval.setEndTimeStamp(nowMs);
                e2eSeries.append(e2eInterval, null);
            }
            List<CounterRecord> records = counterRecords(nowMs);
            writer.appendCounters(records);
            lastRecords = records;
        }
        lastTickMs = nowMs;
        IntervalListener l = intervalListener;
        if (l != null) {
            l.onInterval(total.interval, stats(), last);
        }
    }

    private void tickCounters(Counters c, long now, String tag, long fromMs, long toMs) {
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
            // untagged: every second, even empty ("nothing sent"); a tag only when it has values
            if (latenessSeries != null && (tag == null || c.interval.getTotalCount() > 0)) {
                c.interval.setStartTimeStamp(fromMs);
                c.interval.setEndTimeStamp(toMs);
                latenessSeries.append(c.interval, tag);
            }
        }
    }

    /**
     * This second's counter records: the whole run ({@link TrafficStats#counterValues()} plus the
     * gauges {@code rate_per_s}, {@code target_rate_per_s}, {@code lateness_p99_us}), each
     * experiment that ever acted, and the verifier ({@link VerifierStats#counterValues()}).
     */
    private List<CounterRecord> counterRecords(long tsMs) {
        LoadStats s = stats();
        List<CounterRecord> records = new ArrayList<>();
        Map<String, Number> whole = new LinkedHashMap<>(s.total().counterValues());
        whole.put("rate_per_s", s.total().achievedRate());
        whole.put("target_rate_per_s", s.targetRate());
        whole.put("lateness_p99_us", s.total().lateness().p99Micros());
        records.add(new CounterRecord(tsMs, SOURCE, null, whole));
        for (TrafficStats t : s.experiments().values()) {
            records.add(new CounterRecord(tsMs, SOURCE, t.id(), t.counterValues()));
        }
        if (s.verifier() != null) {
            records.add(new CounterRecord(tsMs, VERIFIER_SOURCE, null, s.verifier().counterValues()));
        }
        return records;
    }

    private void openRunDirectory(long startMs) {
        writer = RunWriter.open(cfg.runDir());
        Path name = cfg.runDir().toAbsolutePath().getFileName();
        runInfo = RunInfo.of(name == null ? runPrefix : name.toString(), cfg.runName(), SOURCE, createdAt.toEpochMilli(),
                params()).started(startMs);
        writer.writeRun(runInfo);
        latenessSeries = writer.series(RunFiles.SERIES_LATENESS,
                "publish lateness: actual minus intended send time; untagged = whole run, Tag = experiment id", startMs);
        if (verifier != null) {
            e2eSeries = writer.series(RunFiles.SERIES_E2E, "outcome arrival minus intended send time (sent_at)", startMs);
        }
        lastTickMs = startMs;
    }

    /** Final run.json (ended) and summary.json: the last counter records and every series' percentiles. */
    private void closeRunDirectory(LoadStats s, long endMs) {
        Map<String, Number> values = new LinkedHashMap<>();
        values.put("elapsed_s", s.elapsedSeconds());
        values.put("achieved_per_s", s.elapsedSeconds() > 0
                ? (s.total().sent() + s.total().duplicatesSent()) / s.elapsedSeconds() : 0.0);
        values.put("payload_allocations", s.payloadAllocations());
        writer.writeSummary(new Summary(runInfo.id(), true, endMs, lastRecords, writer.latencyStats(), values));
        writer.writeRun(runInfo.ended(endMs));
        writer.close();
    }

    /** run.json's {@code params}. */
    private Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("run_prefix", runPrefix);
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
        VerifierConfig.putRunParams(p, cfg.verifier());
        return p;
    }

    // ---- lifecycle -----------------------------------------------------------------------

    /**
     * Originals scheduled so far (in the ring or beyond). Right after a control change this is the
     * index of the first original the change acts on (a change applies to what is not in the ring yet).
     */
    public long scheduled() {
        return scheduled.get();
    }

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
        if (disruptor != null) {
            try {
                disruptor.shutdown(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                log.warn("publishers did not drain within 30 s; halting");
                disruptor.halt();
            }
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
            tick(true);
        } catch (RuntimeException e) {
            log.warn("final tick: {}", e.toString());
        }
        LoadStats s = stats();
        finalStats = s;
        if (writer != null) {
            try {
                closeRunDirectory(s, System.currentTimeMillis());
            } catch (RuntimeException e) {
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
            } catch (RuntimeException ignored) {
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
