package io.stampede.loadgen.agent;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.service.Discovery;
import io.nats.service.InfoResponse;
import io.stampede.loadgen.DeliveryVerifier;
import io.stampede.loadgen.DuplicateMode;
import io.stampede.loadgen.LatencySummary;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.LoadGenerator;
import io.stampede.loadgen.LoadStats;
import io.stampede.loadgen.RunResult;
import io.stampede.loadgen.SignalIds;
import io.stampede.loadgen.TrafficStats;
import io.stampede.loadgen.VerifierConfig;
import io.stampede.loadgen.VerifierStats;
import io.stampede.loadgen.agent.AgentProtocol.ControlState;
import io.stampede.loadgen.agent.AgentProtocol.Duplicates;
import io.stampede.loadgen.agent.AgentProtocol.Reply;
import io.stampede.loadgen.agent.AgentProtocol.Report;
import io.stampede.loadgen.agent.AgentProtocol.Start;
import io.stampede.loadgen.internal.Counters;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunWriter;
import io.stampede.reports.SeriesWriter;
import io.stampede.reports.Summary;
import io.stampede.reports.TimelineEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one schedule on {@code n} load agents found through NATS service discovery, and merges
 * what they report into one run record.
 *
 * <pre>
 *  awaitAgents: $SRV.INFO.stampede-loadgen until n agents (ordered by instance id)
 *  start:       agent i gets share i/n: rate/n, common start (now + startDelay), interleaved due times
 *  controls:    the whole ControlState to every agent at once (requests in parallel), versioned
 *  each second: per agent, the intervals that arrived → added (HdrHistogram add, exact) into the
 *               merged interval (lateness.hlog untagged; Tag=agent:&lt;name&gt; per agent); counters
 *               = sum of each agent's last cumulative report (counters.jsonl source loadgen, and
 *               loadgen/&lt;name&gt; per agent)
 *  missing:     no report for staleAfter → the agent is named (timeline agent_missing), the run is
 *               degraded; its last figures stay in the sums
 *  verify:      one DeliveryVerifier here (DeliveryVerifier.forShares) on the outcome subject; each
 *               agent's progress (every 50 ms: originals handed, failed ones) makes its originals
 *               expected; a missing agent's originals after its last progress are unreported, not lost
 * </pre>
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(3);
    public static final Duration DEFAULT_START_DELAY = Duration.ofMillis(1500);
    /** Counter-record source of one agent's figures: {@code loadgen/<name>}. */
    public static final String AGENT_SOURCE_PREFIX = LoadGenerator.SOURCE + "/";
    /** hlog tag of one agent's intervals: {@code agent:<name>}. */
    public static final String AGENT_TAG_PREFIX = "agent:";

    private final LoadGenConfig cfg;
    private final int agentCount;
    private final String runPrefix;
    private final String runId;
    private Duration staleAfter = DEFAULT_STALE_AFTER;
    private Duration startDelay = DEFAULT_START_DELAY;
    private PrintStream progress;
    private Connection conn;
    private Dispatcher dispatcher;
    private final List<AgentState> agents = new ArrayList<>();
    private final Map<String, AgentState> byId = new LinkedHashMap<>();
    private final Object pushLock = new Object();
    private volatile ControlState controls = ControlState.NONE;
    private long startAtMs;
    private Thread ticker;
    private volatile boolean ended;
    private RunWriter writer;
    private SeriesWriter latenessSeries;
    private RunInfo runInfo;
    private long lastTickMs;
    private long lastAccepted;
    private final Histogram merged = new Histogram(Counters.HIGHEST_MICROS, 3);
    private volatile io.stampede.loadgen.LatencySummary mergedSummary = io.stampede.loadgen.LatencySummary.EMPTY;
    private volatile double lastRate;
    private List<CounterRecord> lastRecords = List.of();
    private volatile RunResult result;
    private DeliveryVerifier verifier;
    private SeriesWriter e2eSeries;

    /** {@code cfg} is the whole run: its rate is the merged rate, split over {@code agents}. */
    public Coordinator(LoadGenConfig cfg, int agents) {
        if (agents < 1) {
            throw new IllegalArgumentException("agents must be >= 1");
        }
        this.cfg = cfg;
        this.agentCount = agents;
        this.runPrefix = cfg.runPrefix() != null ? cfg.runPrefix() : SignalIds.newRunPrefix();
        this.runId = cfg.runDir() != null && cfg.runDir().toAbsolutePath().getFileName() != null
                ? cfg.runDir().toAbsolutePath().getFileName().toString().replaceAll("[^A-Za-z0-9_-]", "_") : runPrefix;
    }

    public Coordinator staleAfter(Duration d) {
        staleAfter = d;
        return this;
    }

    public Coordinator startDelay(Duration d) {
        startDelay = d;
        return this;
    }

    /** One line per second there (null: none). */
    public Coordinator progress(PrintStream out) {
        progress = out;
        return this;
    }

    public String runPrefix() {
        return runPrefix;
    }

    public long startAtMs() {
        return startAtMs;
    }

    public Coordinator connect() throws IOException, InterruptedException {
        conn = Nats.connect(Options.builder().server(cfg.natsUrl()).connectionName("stampede-coordinator-" + runPrefix)
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(250)).errorListener(new io.nats.client.ErrorListener() { })
                .build());
        return this;
    }

    /** An agent found by discovery. */
    public record AgentRef(String id, String name) {}

    /** Polls {@code $SRV.INFO.stampede-loadgen} until {@code n} agents answer; the first n by instance id. */
    public List<AgentRef> awaitAgents(Duration timeout) throws InterruptedException {
        Discovery d = new Discovery(conn, 500, 1000);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<AgentRef> found = List.of();
        while (true) {
            List<AgentRef> now = new ArrayList<>();
            List<InfoResponse> infos;
            try {
                infos = d.info(AgentProtocol.SERVICE_NAME);
            } catch (IllegalArgumentException noResponders) {
                // jnats 2.26.2's Discovery parses the "no responders" status as an info response and throws
                infos = List.of();
            }
            for (InfoResponse i : infos) {
                Map<String, String> meta = i.getMetadata();
                now.add(new AgentRef(i.getId(), meta == null ? i.getId() : meta.getOrDefault(AgentProtocol.META_NAME, i.getId())));
            }
            now.sort(Comparator.comparing(AgentRef::id));
            found = now;
            if (found.size() >= agentCount) {
                return found.subList(0, agentCount);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("found " + found.size() + " of " + agentCount + " agents within " + timeout
                        + ": " + found);
            }
            Thread.sleep(200);
        }
    }

    /** Subscribes to the reports, gives each agent its share, starts merging. */
    public Coordinator start(List<AgentRef> refs) throws InterruptedException {
        if (refs.size() != agentCount) {
            throw new IllegalArgumentException("need " + agentCount + " agents, got " + refs.size());
        }
        for (int i = 0; i < refs.size(); i++) {
            AgentState a = new AgentState(refs.get(i).id(), refs.get(i).name(), i);
            agents.add(a);
            byId.put(a.id, a);
        }
        String reportSubject = AgentProtocol.reportSubject(runId + "-" + runPrefix);
        String progressSubject = AgentProtocol.progressSubject(runId + "-" + runPrefix);
        if (cfg.verifier() != null) {
            // subscribed before any agent starts: no outcome can come before it listens
            try {
                verifier = DeliveryVerifier.forShares(cfg.verifier(), runPrefix, agentCount).start(cfg.natsUrl());
            } catch (IOException e) {
                throw new IllegalStateException("verifier: " + e.getMessage(), e);
            }
            verifier.marker(this::markAgents);
        }
        // one dispatcher: an agent's last progress is handled before its last report (same connection, same order)
        dispatcher = conn.createDispatcher(this::onMessage);
        dispatcher.subscribe(reportSubject);
        dispatcher.subscribe(progressSubject);
        try {
            conn.flush(Duration.ofSeconds(5));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("NATS flush: " + e);
        }
        startAtMs = System.currentTimeMillis() + startDelay.toMillis();
        lastTickMs = System.currentTimeMillis();
        if (cfg.runDir() != null) {
            openRunDirectory();
        }
        List<CompletableFuture<Message>> replies = new ArrayList<>();
        for (AgentState a : agents) {
            Start s = new Start(runId + "-" + runPrefix, runPrefix, a.index, agentCount, cfg.baselineRate(), cfg.maxRate(),
                    cfg.duration() == null ? null : cfg.duration().toMillis() / 1000.0, cfg.payloadSize(), cfg.subjectPattern(),
                    cfg.symbols(), cfg.mode().name().toLowerCase(Locale.ROOT), cfg.connections(),
                    cfg.waitStrategy().name().toLowerCase(Locale.ROOT), startAtMs, reportSubject, controls, progressSubject,
                    cfg.shape());
            a.lastSeenNanos = System.nanoTime();
            replies.add(conn.requestWithTimeout(AgentProtocol.endpointSubject(a.id, "start"), AgentProtocol.write(s),
                    Duration.ofSeconds(10)));
        }
        for (int i = 0; i < agents.size(); i++) {
            Reply r = await(replies.get(i), agents.get(i), "start");
            if (r == null || !r.ok()) {
                throw new IllegalStateException("agent " + agents.get(i).name + " refused the start: "
                        + (r == null ? "no reply" : r.error()));
            }
            // it just answered: staleness counts from here (a cold agent's start, JetStream context
            // and all, took over a second on the test box and it was called missing before its first report)
            agents.get(i).lastSeenNanos = System.nanoTime();
        }
        ticker = io.stampede.loadgen.internal.SecondTicker.start("stampede-coordinator", () -> ended, this::tick, log, "coordinator tick");
        log.info("coordinator {}: {} agents, {} msg/s from {}", runPrefix, agentCount, cfg.baselineRate(), startAtMs);
        return this;
    }

    private Reply await(CompletableFuture<Message> f, AgentState a, String what) throws InterruptedException {
        try {
            Message m = f.get(10, TimeUnit.SECONDS);
            if (m.isStatusMessage()) {
                log.warn("{} to {}: status {}", what, a.name, m.getStatus());
                return null;
            }
            return AgentProtocol.read(m.getData(), Reply.class);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | java.util.concurrent.CancellationException e) {
            log.warn("{} to {}: {}", what, a.name, e.toString());
            return null;
        }
    }

    // ---- live controls: the whole state to every agent -------------------------------------

    public Duration addMultiplier(String id, double m) throws InterruptedException {
        LoadGenConfig.requireMultiplier(m);
        return push(c -> c.withMultiplier(id, m));
    }

    public Duration removeMultiplier(String id) throws InterruptedException {
        return push(c -> c.withMultiplier(id, null));
    }

    public Duration addDuplicates(String id, double rate, long delayMs, DuplicateMode mode) throws InterruptedException {
        return push(c -> c.withDuplicates(id, new Duplicates(rate, delayMs, mode)));
    }

    public Duration removeDuplicates(String id) throws InterruptedException {
        return push(c -> c.withDuplicates(id, null));
    }

    /** Originals of every agent carry {@code id} in {@code Stampede-Experiment} from now on (LoadGenerator.tag). */
    public Duration tag(String id) throws InterruptedException {
        return push(c -> c.tags().contains(id) ? c : c.withTag(id, true));
    }

    public Duration untag(String id) throws InterruptedException {
        return push(c -> c.tags().contains(id) ? c.withTag(id, false) : c);
    }

    /** The live controls as last pushed. */
    public ControlState controls() {
        return controls;
    }

    /** The coordinator's delivery verifier, or null without one. */
    public DeliveryVerifier verifier() {
        return verifier;
    }

    /**
     * Where each agent's schedule is now (per share, the index of its next original): the current
     * controls again (a no-op for the agents) to each agent still reporting, whose replies carry
     * their {@code scheduled}; an agent that does not answer, or is missing or done, is where its
     * progress got. A request round (~15 ms): not for event loops. The window marks of
     * {@link DeliveryVerifier#mark()}.
     */
    public long[] markAgents() {
        long[] at = new long[agentCount];
        synchronized (pushLock) {
            byte[] body = AgentProtocol.write(controls);
            List<CompletableFuture<Message>> replies = new ArrayList<>();
            for (AgentState a : agents) {
                replies.add(a.missing() || a.last() ? null
                        : conn.requestWithTimeout(AgentProtocol.endpointSubject(a.id, "change"), body, Duration.ofSeconds(2)));
            }
            for (int i = 0; i < agents.size(); i++) {
                AgentState a = agents.get(i);
                long confirmed = verifier == null ? 0 : verifier.confirmed(a.index);
                Reply r = null;
                if (replies.get(i) != null) {
                    try {
                        r = await(replies.get(i), a, "mark");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                at[a.index] = r != null && r.ok() && r.scheduled() >= 0 ? Math.max(confirmed, r.scheduled()) : confirmed;
            }
        }
        return at;
    }

    /**
     * Sends the new state to every agent not missing, in parallel; returns when all answered, with
     * the slowest answer's time (each agent applies it before it answers).
     */
    private Duration push(java.util.function.UnaryOperator<ControlState> change) throws InterruptedException {
        synchronized (pushLock) {
            ControlState next = change.apply(controls);
            if (next == controls) {
                return Duration.ZERO;
            }
            controls = next;
            byte[] body = AgentProtocol.write(next);
            long t0 = System.nanoTime();
            List<CompletableFuture<Message>> replies = new ArrayList<>();
            List<AgentState> to = new ArrayList<>();
            for (AgentState a : agents) {
                if (!a.missing() && !a.last()) {
                    to.add(a);
                    replies.add(conn.requestWithTimeout(AgentProtocol.endpointSubject(a.id, "change"), body, Duration.ofSeconds(2)));
                }
            }
            for (int i = 0; i < to.size(); i++) {
                Reply r = await(replies.get(i), to.get(i), "change");
                if (r == null || !r.ok()) {
                    log.warn("agent {} did not apply controls v{}: {}", to.get(i).name, next.version(), r == null ? "no reply" : r.error());
                }
            }
            return Duration.ofNanos(System.nanoTime() - t0);
        }
    }

    /** Asks every agent to end its run now (each sends its last report). */
    public void stopAgents() throws InterruptedException {
        List<CompletableFuture<Message>> replies = new ArrayList<>();
        for (AgentState a : agents) {
            replies.add(conn.requestWithTimeout(AgentProtocol.endpointSubject(a.id, "stop"), new byte[0], Duration.ofSeconds(2)));
        }
        for (int i = 0; i < agents.size(); i++) {
            await(replies.get(i), agents.get(i), "stop");
        }
    }

    // ---- reports and merging ------------------------------------------------------------------

    private void onMessage(Message m) {
        if (m.getSubject().endsWith(".progress")) {
            onProgress(m);
        } else {
            onReport(m);
        }
    }

    /** An agent's originals handed so far and its failures: the verifier expects them (dispatcher thread). */
    private void onProgress(Message m) {
        AgentProtocol.Progress p;
        try {
            p = AgentProtocol.read(m.getData(), AgentProtocol.Progress.class);
        } catch (IllegalArgumentException e) {
            log.warn("bad progress: {}", e.getMessage());
            return;
        }
        AgentState a = byId.get(p.agentId());
        if (a == null || verifier == null) {
            return;
        }
        if (a.progressGap(p.number())) {
            log.warn("agent {}: progress message(s) before #{} lost; failures they carried are not known here", a.name, p.number());
        }
        verifier.confirm(a.index, p.handed());
        long[] f = p.failed() == null ? new long[0] : p.failed();
        for (int i = 0; i + 1 < f.length; i += 2) {
            for (long j = f[i]; j < f[i + 1]; j++) {
                verifier.failed(j * agentCount + a.index);
            }
        }
    }

    private void onReport(Message m) {
        Report r;
        Histogram h;
        try {
            r = AgentProtocol.read(m.getData(), Report.class);
            h = AgentProtocol.decode(r.lateness());
        } catch (IllegalArgumentException e) {
            log.warn("bad report: {}", e.getMessage());
            return;
        }
        AgentState a = byId.get(r.agentId());
        if (a == null) {
            log.warn("report from unknown agent {} ({})", r.name(), r.agentId());
            return;
        }
        a.accept(r, h);
        if (r.last() && verifier != null) {
            verifier.shareDone(a.index); // after its last progress (handled first): nothing of it is pending now
        }
    }

    /** Merges what arrived since the last tick; marks agents that stopped reporting. Ticker (or the end) only. */
    private synchronized void tick() {
        long nowMs = System.currentTimeMillis();
        long now = System.nanoTime();
        Histogram interval = new Histogram(Counters.HIGHEST_MICROS, 3);
        interval.setStartTimeStamp(lastTickMs);
        interval.setEndTimeStamp(nowMs);
        List<Histogram> perAgent = new ArrayList<>();
        for (AgentState a : agents) {
            Histogram p = a.takePending();
            interval.add(p);
            perAgent.add(p);
            if (a.checkStale(now, staleAfter.toNanos())) {
                if (verifier != null) {
                    verifier.shareMissing(a.index);
                }
                log.warn("agent {} ({}) stopped reporting: last report {} ms ago", a.name, a.id, (now - a.lastSeenNanos) / 1_000_000);
                if (progress != null) {
                    progress.println("agent " + a.name + " stopped reporting (run degraded)");
                }
                if (writer != null) {
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("agent", a.name);
                    data.put("agent_id", a.id);
                    data.put("last_sent", a.counter(Report::sent));
                    writer.appendTimeline(new TimelineEvent(nowMs, "agent_missing", null, data));
                }
            }
        }
        merged.add(interval);
        mergedSummary = io.stampede.loadgen.LatencySummary.of(merged);
        Histogram e2eInterval = verifier == null ? null : verifier.tick();
        if (writer != null) {
            latenessSeries.append(interval, null);
            if (e2eInterval != null) {
                e2eInterval.setStartTimeStamp(lastTickMs);
                e2eInterval.setEndTimeStamp(nowMs);
                e2eSeries.append(e2eInterval, null);
            }
            for (int i = 0; i < agents.size(); i++) {
                Histogram p = perAgent.get(i);
                if (p.getTotalCount() > 0) {
                    p.setStartTimeStamp(lastTickMs);
                    p.setEndTimeStamp(nowMs);
                    latenessSeries.append(p, AGENT_TAG_PREFIX + agents.get(i).name);
                }
            }
            List<CounterRecord> records = counterRecords(nowMs);
            writer.appendCounters(records);
            lastRecords = records;
        }
        long accepted = sum(Report::sent) + sum(Report::duplicates);
        double rate = (accepted - lastAccepted) * 1000.0 / Math.max(1, nowMs - lastTickMs);
        lastAccepted = accepted;
        lastRate = rate;
        lastTickMs = nowMs;
        if (progress != null && !ended) {
            progress.printf(Locale.ROOT, "t=%5.1fs rate=%.0f/s sent=%d dup=%d failed=%d lateness_p99=%dus agents=%d/%d%s%n",
                    (nowMs - startAtMs) / 1000.0, rate, sum(Report::sent), sum(Report::duplicates), sum(Report::failed),
                    merged.getTotalCount() == 0 ? 0 : merged.getValueAtPercentile(99), reporting(), agentCount,
                    degraded() ? " DEGRADED missing=" + missingNames() : "");
            if (verifier != null) {
                VerifierStats v = verifier.stats();
                progress.printf(Locale.ROOT, "  verify: expected=%d delivered=%d lost=%d duplicated=%d unexpected=%d unreported=%d e2e_p99=%dus%n",
                        v.expected(), v.delivered(), v.lost(), v.duplicated(), v.unexpected(), v.unreported(), v.e2e().p99Micros());
            }
        }
    }

    private List<CounterRecord> counterRecords(long tsMs) {
        List<CounterRecord> rs = new ArrayList<>();
        Map<String, Number> whole = counterValues(null);
        whole.put("target_rate_per_s", targetRate());
        whole.put("lateness_p99_us", merged.getTotalCount() == 0 ? 0 : merged.getValueAtPercentile(99));
        whole.put("agents_reporting_now", reporting());
        whole.put("agents_missing_now", agentCount - reporting());
        rs.add(new CounterRecord(tsMs, LoadGenerator.SOURCE, null, whole));
        for (AgentState a : agents) {
            rs.add(new CounterRecord(tsMs, AGENT_SOURCE_PREFIX + a.name, null, counterValues(a)));
        }
        if (verifier != null) {
            rs.add(new CounterRecord(tsMs, LoadGenerator.VERIFIER_SOURCE, null, verifier.stats().counterValues()));
        }
        return rs;
    }

    private Map<String, Number> counterValues(AgentState only) {
        Map<String, Number> m = new LinkedHashMap<>();
        for (var e : List.<Map.Entry<String, java.util.function.ToLongFunction<Report>>>of(
                Map.entry("scheduled", Report::scheduled), Map.entry("sent", Report::sent),
                Map.entry("duplicates", Report::duplicates), Map.entry("buffered", Report::buffered),
                Map.entry("acked", Report::acked), Map.entry("ack_duplicates", Report::ackDuplicates),
                Map.entry("failed", Report::failed))) {
            m.put(e.getKey(), only == null ? sum(e.getValue()) : only.counter(e.getValue()));
        }
        return m;
    }

    private double targetRate() {
        double[] ms = controls.multipliers().values().stream().mapToDouble(Double::doubleValue).toArray();
        return cfg.unpaced() ? 0 : LoadGenConfig.combinedRate(cfg.baselineRate(), cfg.maxRate(), ms);
    }

    private long sum(java.util.function.ToLongFunction<Report> f) {
        long s = 0;
        for (AgentState a : agents) {
            s += a.counter(f);
        }
        return s;
    }

    private int reporting() {
        int n = 0;
        for (AgentState a : agents) {
            n += a.missing() ? 0 : 1;
        }
        return n;
    }

    public boolean degraded() {
        for (AgentState a : agents) {
            if (a.everMissing()) {
                return true;
            }
        }
        return false;
    }

    private List<String> missingNames() {
        List<String> n = new ArrayList<>();
        for (AgentState a : agents) {
            if (a.everMissing()) {
                n.add(a.name);
            }
        }
        return n;
    }

    /**
     * Waits until every agent sent its last report or was marked missing (at most the schedule's
     * end + {@code extra}), merges the rest, writes summary.json and the final run.json.
     */
    public RunResult awaitEnd(Duration extra) throws InterruptedException {
        return awaitEnd(extra, cfg.verifier() == null ? Duration.ZERO : cfg.verifier().grace());
    }

    /** {@link #awaitEnd(Duration)} with the verifier waiting at most {@code verifyGrace} for the last outcomes. */
    public RunResult awaitEnd(Duration extra, Duration verifyGrace) throws InterruptedException {
        long endMs = startAtMs + (cfg.duration() == null ? 0 : cfg.duration().toMillis()) + extra.toMillis();
        while (System.currentTimeMillis() < endMs) {
            boolean done = true;
            for (AgentState a : agents) {
                done &= a.last() || a.missing();
            }
            if (done) {
                break;
            }
            Thread.sleep(20);
        }
        for (AgentState a : agents) {
            if (a.forceMissingUnlessLast() && verifier != null) {
                verifier.shareMissing(a.index);
            }
        }
        if (verifier != null) {
            // every agent is done or missing: wait (up to the grace) for the outcomes of what they sent
            verifier.finish(verifyGrace);
        }
        return finish();
    }

    private RunResult finish() {
        ended = true;
        if (ticker != null) {
            try {
                ticker.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        tick();
        long nowMs = System.currentTimeMillis();
        double elapsed = Math.max(1e-3, (nowMs - startAtMs) / 1000.0);
        double sending = cfg.duration() != null ? cfg.duration().toMillis() / 1000.0 : elapsed;
        List<RunResult.Agent> as = new ArrayList<>();
        for (AgentState a : agents) {
            as.add(new RunResult.Agent(a.id, a.name, a.counter(Report::sent), a.counter(Report::duplicates),
                    a.counter(Report::acked), a.counter(Report::failed), a.lateness(), a.everMissing()));
        }
        RunResult r = new RunResult(sum(Report::sent), sum(Report::duplicates), sum(Report::acked), sum(Report::failed),
                LatencySummary.of(merged), (sum(Report::sent) + sum(Report::duplicates)) / sending, as, degraded(), missingNames(),
                verifier == null ? null : verifier.stats());
        if (writer != null) {
            Map<String, Number> values = new LinkedHashMap<>();
            values.put("elapsed_s", elapsed);
            values.put("achieved_per_s", r.achievedRate());
            values.put("agents", agentCount);
            values.put("agents_missing", r.missing().size());
            values.put("progress_gaps", progressGaps());
            writer.writeSummary(new Summary(runInfo.id(), !r.degraded(), nowMs, lastRecords, writer.latencyStats(), values));
            Map<String, Object> params = new LinkedHashMap<>(runInfo.params());
            params.put("degraded", r.degraded());
            params.put("missing_agents", r.missing());
            writer.writeRun(RunInfo.of(runInfo.id(), runInfo.type(), runInfo.producer(), runInfo.createdAtMs(), params)
                    .started(startAtMs).ended(nowMs));
            writer.close();
        }
        result = r;
        return r;
    }

    public RunResult result() {
        return result;
    }

    private long progressGaps() {
        long n = 0;
        for (AgentState a : agents) {
            n += a.progressGaps();
        }
        return n;
    }

    /** The current target rate: baseline × active multipliers, capped. */
    public double currentRate() {
        return targetRate();
    }

    /**
     * The merged figures as a {@link LoadStats} (the single-process form; the chaos API serves it):
     * counters summed over the agents' last reports, merged lateness as of the last tick, the
     * verifier's stats. {@code experiments} is empty: agents do not report per-experiment counters.
     */
    public LoadStats stats() {
        TrafficStats total = new TrafficStats(TrafficStats.TOTAL_ID, lastRate, sum(Report::scheduled), sum(Report::sent),
                sum(Report::duplicates), sum(Report::buffered), sum(Report::failed), sum(Report::acked),
                sum(Report::ackDuplicates), mergedSummary);
        double elapsed = startAtMs == 0 ? 0 : Math.max(0, System.currentTimeMillis() - startAtMs) / 1000.0;
        return new LoadStats(runPrefix, elapsed, targetRate(), total, Map.of(), verifier == null ? null : verifier.stats(), 0);
    }

    private void openRunDirectory() {
        writer = RunWriter.open(cfg.runDir());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("run_prefix", runPrefix);
        p.put("nats_url", cfg.natsUrl());
        p.put("rate", cfg.baselineRate());
        p.put("max_rate", cfg.maxRate());
        p.put("duration_s", cfg.duration() == null ? null : cfg.duration().toMillis() / 1000.0);
        p.put("payload_size", cfg.payloadSize());
        p.put("subject", cfg.subjectPattern());
        p.put("symbols", cfg.symbols());
        p.put("mode", cfg.mode().name().toLowerCase(Locale.ROOT));
        p.put("connections", cfg.connections());
        p.put("wait_strategy", cfg.waitStrategy().name().toLowerCase(Locale.ROOT));
        VerifierConfig.putRunParams(p, cfg.verifier());
        p.put("agents", agents.stream().map(a -> Map.of("id", a.id, "name", a.name, "index", a.index)).toList());
        p.put("start_at_ms", startAtMs);
        runInfo = RunInfo.of(runId, cfg.runName(), LoadGenerator.SOURCE, System.currentTimeMillis(), p).started(startAtMs);
        writer.writeRun(runInfo);
        latenessSeries = writer.series(RunFiles.SERIES_LATENESS,
                "publish lateness merged over agents: untagged = whole run, Tag=agent:<name> = one agent", startAtMs);
        if (verifier != null) {
            e2eSeries = writer.series(RunFiles.SERIES_E2E, "outcome arrival minus intended send time (sent_at), every agent's", startAtMs);
        }
    }

    @Override
    public void close() throws InterruptedException {
        ended = true;
        if (result == null && writer != null) {
            try {
                writer.close();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        if (verifier != null) {
            verifier.close();
        }
        if (conn != null) {
            conn.close();
        }
    }

    /** One agent as the coordinator sees it; its reports arrive on the dispatcher thread. */
    private static final class AgentState {
        final String id;
        final String name;
        final int index;
        private Histogram pending = new Histogram(Counters.HIGHEST_MICROS, 3);
        private final Histogram cumulative = new Histogram(Counters.HIGHEST_MICROS, 3);
        private Report lastReport;
        volatile long lastSeenNanos;
        private boolean last;
        private boolean missing;
        private boolean everMissing;

        AgentState(String id, String name, int index) {
            this.id = id;
            this.name = name;
            this.index = index;
        }

        synchronized void accept(Report r, Histogram h) {
            pending.add(h);
            cumulative.add(h);
            if (lastReport == null || r.number() > lastReport.number()) {
                lastReport = r;
            }
            lastSeenNanos = System.nanoTime();
            missing = false;
            last |= r.last();
        }

        synchronized Histogram takePending() {
            Histogram p = pending;
            pending = new Histogram(Counters.HIGHEST_MICROS, 3);
            return p;
        }

        /** @return true when it just became missing */
        synchronized boolean checkStale(long now, long staleNanos) {
            if (last || missing || now - lastSeenNanos < staleNanos) {
                return false;
            }
            missing = true;
            everMissing = true;
            return true;
        }

        /** @return true when it just became missing */
        synchronized boolean forceMissingUnlessLast() {
            if (!last && !missing) {
                missing = true;
                everMissing = true;
                return true;
            }
            return false;
        }

        private long nextProgress;
        private long gaps;

        /** Notes progress message {@code number}; true if some before it never came. */
        synchronized boolean progressGap(long number) {
            boolean gap = number > nextProgress;
            if (gap) {
                gaps += number - nextProgress;
            }
            nextProgress = Math.max(nextProgress, number + 1);
            return gap;
        }

        synchronized long progressGaps() {
            return gaps;
        }

        synchronized boolean last() {
            return last;
        }

        synchronized boolean missing() {
            return missing;
        }

        synchronized boolean everMissing() {
            return everMissing;
        }

        synchronized long counter(java.util.function.ToLongFunction<Report> f) {
            return lastReport == null ? 0 : f.applyAsLong(lastReport);
        }

        synchronized LatencySummary lateness() {
            return LatencySummary.of(cumulative);
        }
    }
}
