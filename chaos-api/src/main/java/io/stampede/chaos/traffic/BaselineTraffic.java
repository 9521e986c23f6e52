package io.stampede.chaos.traffic;

import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.lifecycle.Timeline;
import io.stampede.loadgen.LoadControls;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.LoadGenerator;
import io.stampede.loadgen.RunResult;
import io.stampede.loadgen.agent.AgentControls;
import io.stampede.loadgen.agent.Coordinator;
import io.stampede.loadgen.LoadStats;
import io.stampede.loadgen.TrafficStats;
import io.stampede.loadgen.WaitStrategyKind;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos API's own NATS traffic: a {@link LoadGenerator} publishing the system file's
 * {@code traffic} at the baseline rate (JetStream mode by default, so the generator's own failures
 * are counted by acks, never confused with the system's), with a delivery verifier on the file's
 * {@code outcomes}. {@code backpressure} multiplies its rate,
 * {@code duplicate_messages} re-publishes a fraction of it.
 *
 * <p>It connects in the background and keeps trying while NATS is down at start, so the API
 * never waits for it; experiments that need it answer 409 until it runs. It publishes straight
 * to NATS, not through the latency proxy: the generator's schedule stays honest while the
 * system under test (connected through the proxy) is slowed.
 *
 * <p>On agents ({@code STAMPEDE_BASELINE_AGENTS=N}): the same schedule published by N loadgen
 * agents through a {@link Coordinator} here (one run prefix, agent k's j-th original is seq
 * {@code j·N + k}), whose verifier confirms each agent's originals from its progress reports.
 * Multipliers, duplicates and tags are pushed to every agent ({@link AgentControls}); an
 * experiment's window is per agent: from the original each agent scheduled first after the
 * fault was applied to the first after it ended ({@link io.stampede.loadgen.DeliveryVerifier#mark()}).
 *
 * <p>Run directory: {@code <data>/runs/baseline_<utc time>/}, written through the reports module
 * (reports/README.md): the generator's run.json (type {@code baseline}), counters.jsonl,
 * lateness.hlog, e2e.hlog, summary.json, and a timeline.jsonl of the experiments that acted on it.
 */
public final class BaselineTraffic implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BaselineTraffic.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final LoadGenConfig config;
    /** 0: published here; N: by N load agents through {@link #coordinator}. */
    private final int agents;
    private final Thread starter;
    private volatile LoadControls controls;
    private volatile LoadGenerator generator;
    private volatile Coordinator coordinator;
    private volatile String lastProblem = "starting";
    private volatile boolean closed;
    /** experiment id → total originals sent when it was applied, and when reverted (-1 while active). */
    private final java.util.Map<String, long[]> windows = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** Closed windows (and the generator's per-experiment counters) kept for stats; the oldest go beyond this. */
    static final int MAX_CLOSED_WINDOWS = 256;
    /** Experiments tagged for the Stampede-Experiment header, kept for a generator that connects later; guarded by this. */
    private final java.util.Set<String> tagged = new java.util.LinkedHashSet<>();

    private BaselineTraffic(LoadGenConfig config, int agents) {
        this.config = config;
        this.agents = agents;
        this.starter = new Thread(this::connectLoop, "baseline-traffic-start");
        this.starter.setDaemon(true);
    }

    /** Baseline rate from STAMPEDE_BASELINE_RATE, capped by STAMPEDE_MAX_MESSAGE_RATE. */
    public static BaselineTraffic start(ChaosConfig cfg) {
        Path runDir = cfg.runsDir().resolve("baseline_" + STAMP.format(Instant.now()));
        io.stampede.chaos.SystemUnderTest sut = cfg.sut();
        LoadGenConfig lg = LoadGenConfig.builder(cfg.natsUrl())
                .baselineRate(cfg.baselineRate())
                .maxRate(cfg.maxMessageRate())
                .subjectPattern(sut.subject())
                .symbols(sut.symbols())
                .shape(sut.shape())
                .payloadSize(sut.payloadSize())
                .mode(sut.mode())
                // a background rate of ~100 msg/s: sleep on a lock between messages instead of the
                // default spin/yield/park cycle, which kept a quarter of a core busy while idle
                .waitStrategy(WaitStrategyKind.BLOCKING)
                .runDir(runDir)
                .runName(io.stampede.reports.RunType.BASELINE.json())
                .verifier(sut.verifier())
                .build();
        BaselineTraffic t = new BaselineTraffic(lg, cfg.baselineAgents());
        t.starter.start();
        return t;
    }

    private void connectLoop() {
        if (agents > 0) {
            connectAgents();
            return;
        }
        while (!closed) {
            LoadGenerator g = new LoadGenerator(config);
            try {
                g.start();
                synchronized (this) {
                    if (closed) {
                        g.close();
                        return;
                    }
                    tagged.forEach(g::tag);
                    generator = g;
                    controls = g;
                }
                log.info("baseline traffic running: {} msg/s to {}, run dir {}", config.baselineRate(),
                        config.subjectPattern(), config.runDir());
                return;
            } catch (Exception e) {
                g.close();
                lastProblem = "baseline traffic cannot connect to " + config.natsUrl() + ": " + e.getMessage();
                log.warn("{}; retrying in 2 s", lastProblem);
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Finds the agents (retrying while fewer are up), starts them on the shared schedule. */
    private void connectAgents() {
        while (!closed) {
            Coordinator c = new Coordinator(config, agents);
            try {
                c.connect();
                c.start(c.awaitAgents(Duration.ofSeconds(10)));
                synchronized (this) {
                    if (closed) {
                        c.stopAgents();
                        c.close();
                        return;
                    }
                    AgentControls a = new AgentControls(c);
                    tagged.forEach(a::tag);
                    coordinator = c;
                    controls = a;
                }
                log.info("baseline traffic running on {} agents: {} msg/s to {}, run dir {}", agents, config.baselineRate(),
                        config.subjectPattern(), config.runDir());
                return;
            } catch (Exception e) {
                try {
                    c.close();
                } catch (InterruptedException ie) {
                    return;
                }
                lastProblem = "baseline traffic on " + agents + " agents not running (" + config.natsUrl() + "): " + e.getMessage();
                log.warn("{}; retrying in 2 s", lastProblem);
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** The running traffic's controls (a generator here, or the agents), or null with {@link #problem()} saying why. */
    LoadControls controls() {
        return controls;
    }

    /** The generator in this process, or null (not connected yet, or the baseline runs on agents). */
    LoadGenerator generator() {
        return generator;
    }

    /** How many agents publish the baseline (0: this process). */
    public int agents() {
        return agents;
    }

    /**
     * Baseline originals carry {@code experimentId} in {@code Stampede-Experiment} from now until
     * {@link #untag(String)} ({@link LoadGenerator#tag(String)}); for every experiment type, called
     * at apply. Held here too, so a generator that connects later tags it from its first message.
     * In this process it never blocks; on agents it is a request round to them (~15 ms; called on
     * the lifecycle's worker threads, never on an event loop).
     */
    public synchronized void tag(String experimentId) {
        tagged.add(experimentId);
        LoadControls g = controls;
        if (g != null) {
            g.tag(experimentId);
        }
    }

    /** Ends {@link #tag(String)}: called at revert (idempotent). */
    public synchronized void untag(String experimentId) {
        tagged.remove(experimentId);
        LoadControls g = controls;
        if (g != null) {
            g.untag(experimentId);
        }
    }

    /** The delivery verifier of the running generator, or null. */
    public io.stampede.loadgen.DeliveryVerifier verifier() {
        LoadControls g = controls;
        return g == null ? null : g.verifier();
    }

    /** The running generator's figures (for /metrics), or null while it is not running. */
    public LoadStats loadStats() {
        LoadControls g = controls;
        return g == null ? null : g.stats();
    }

    /** Why there is no generator yet. */
    String problem() {
        return lastProblem;
    }

    public Path runDir() {
        return config.runDir();
    }

    public double baselineRate() {
        return config.baselineRate();
    }

    /** Adds an event to the baseline run's timeline, so its counters can be read against the experiments. */
    void timeline(String event, String experimentId, JsonObject data) {
        Timeline.append(config.runDir(), event, experimentId, data);
    }

    /** Marks the start of an experiment's window over the baseline's originals. */
    void opened(String experimentId) {
        LoadControls g = controls;
        windows.put(experimentId, new long[] {g == null ? 0 : g.stats().total().sent(), -1});
    }

    /** Marks its end; later stats report the closed window. The oldest closed windows beyond the bound are forgotten. */
    void closed(String experimentId) {
        LoadControls g = controls;
        long[] w = windows.get(experimentId);
        if (w != null && w[1] < 0 && g != null) {
            w[1] = g.stats().total().sent();
        }
        java.util.List<String> drop = new java.util.ArrayList<>();
        synchronized (windows) {
            long closedCount = windows.values().stream().filter(x -> x[1] >= 0).count();
            for (var it = windows.entrySet().iterator(); it.hasNext() && closedCount > MAX_CLOSED_WINDOWS; ) {
                var entry = it.next();
                if (entry.getValue()[1] >= 0) {
                    it.remove();
                    drop.add(entry.getKey());
                    closedCount--;
                }
            }
        }
        if (g != null) {
            drop.forEach(g::forget);
        }
    }

    /**
     * The baseline run's own verdict over everything it sent: live (pending, missing ids overdue)
     * while it runs, final when the chaos API stops it (written to its run directory's verdict.json).
     */
    public io.stampede.reports.Verdict verdict() {
        LoadControls g = controls;
        if (g == null || g.verifier() == null) {
            return null;
        }
        return verdict(g.verifier().stats(), g.verifier().republished(), false);
    }

    /** {@code republished}: the verifier's ids decided again with the same Nats-Msg-Id (as an experiment's window counts them). */
    private io.stampede.reports.Verdict verdict(io.stampede.loadgen.VerifierStats v, long republished, boolean isFinal) {
        io.stampede.reports.Observation o = io.stampede.reports.Observation.builder(config.runDir().getFileName().toString(),
                        io.stampede.reports.RunType.BASELINE)
                .isFinal(isFinal)
                .integrity(v.expected(), v.delivered() - v.unexpected(), v.duplicated(), v.unexpected(), republished)
                .decisions(v.delivered(), null)
                .build();
        return io.stampede.reports.VerdictBuilder.build(o, io.stampede.reports.Thresholds.DEFAULTS, System.currentTimeMillis());
    }

    /** Experiments with a window kept (open or closed), for tests of the bound. */
    int windowsKept() {
        return windows.size();
    }

    /**
     * Whole-run figures plus this experiment's share: {@link LoadStats#toMap()} (without the map
     * of every experiment that ever acted) with {@code baseline_rate}, {@code baseline_run_dir} and
     * {@code experiment} ({@link TrafficStats#toMap()} of this id, plus {@code originals_during}).
     * The key names are loadgen's, the same as in the run directory's counters.jsonl.
     */
    JsonObject stats(String experimentId) {
        LoadControls g = controls;
        if (g == null) {
            return new JsonObject().put("baseline", problem());
        }
        LoadStats s = g.stats();
        JsonObject out = new JsonObject(s.toMap());
        out.remove("experiments");
        out.put("baseline_rate", config.baselineRate()).put("baseline_run_dir", config.runDir().toString())
                .put("baseline_agents", agents);
        TrafficStats mine = s.experiments().get(experimentId);
        JsonObject exp = mine == null ? new JsonObject() : new JsonObject(mine.toMap());
        long[] w = windows.get(experimentId);
        if (w != null) {
            // every original published while the experiment acted, whatever else acted too
            exp.put("originals_during", (w[1] < 0 ? s.total().sent() : w[1]) - w[0]);
        }
        out.put("experiment", exp);
        return out;
    }

    @Override
    public void close() {
        LoadGenerator g;
        Coordinator c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            g = generator;
            c = coordinator;
        }
        starter.interrupt();
        if (c != null) {
            try {
                c.stopAgents();
                RunResult last = c.awaitEnd(Duration.ofSeconds(5), Duration.ofSeconds(2));
                if (last.verifier() != null) {
                    try (io.stampede.reports.RunWriter w = io.stampede.reports.RunWriter.open(config.runDir())) {
                        LoadControls lc = controls;
                        long republished = lc == null || lc.verifier() == null ? 0 : lc.verifier().republished();
                        w.writeVerdict(verdict(last.verifier(), republished, true));
                    }
                }
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("baseline agents stop: {}", e.toString());
            }
        }
        if (g != null) {
            try {
                LoadStats last = g.stop(Duration.ofSeconds(2));
                if (last.verifier() != null) {
                    try (io.stampede.reports.RunWriter w = io.stampede.reports.RunWriter.open(config.runDir())) {
                        w.writeVerdict(verdict(last.verifier(), g.verifier().republished(), true));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("baseline traffic stop: {}", e.toString());
            }
            g.close();
        }
    }
}
