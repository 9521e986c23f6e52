package io.stampede.loadgen.agent;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.service.Service;
import io.nats.service.ServiceEndpoint;
import io.nats.service.ServiceMessage;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.LoadGenerator;
import io.stampede.loadgen.LoadStats;
import io.stampede.loadgen.PublishMode;
import io.stampede.loadgen.ScheduleShare;
import io.stampede.loadgen.TrafficStats;
import io.stampede.loadgen.WaitStrategyKind;
import io.stampede.loadgen.agent.AgentProtocol.ControlState;
import io.stampede.loadgen.agent.AgentProtocol.Duplicates;
import io.stampede.loadgen.agent.AgentProtocol.Reply;
import io.stampede.loadgen.agent.AgentProtocol.Report;
import io.stampede.loadgen.agent.AgentProtocol.Start;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A load agent: a NATS micro service ({@value AgentProtocol#SERVICE_NAME}, found with
 * {@code $SRV.PING/INFO/STATS}) that runs one {@link LoadGenerator} at a time on a coordinator's
 * behalf — its share of the schedule, the coordinator's live controls — and reports once a second
 * (see {@link AgentProtocol}).
 *
 * <pre>
 *  coordinator ──start/change/stop──► LoadAgent (service endpoints) ──► LoadGenerator (share i of n)
 *       ▲                                                                   │ stats tick: interval lateness
 *       └──────────────── report subject: counters + encoded histogram ◄─────┘
 * </pre>
 */
public final class LoadAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadAgent.class);

    private final String natsUrl;
    private final String name;
    private Connection conn;
    private Service service;
    /** Guards run, controls and runId: the endpoints' handlers and the run's watcher. */
    private final Object lock = new Object();
    private LoadGenerator run;
    private String runId;
    private ControlState controls = ControlState.NONE;

    public LoadAgent(String natsUrl, String name) {
        if (name != null && !AgentProtocol.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("agent name must match " + AgentProtocol.NAME + ", got '" + name + "'");
        }
        this.natsUrl = natsUrl;
        this.name = name != null ? name : defaultName();
    }

    /** {@code <host>-<pid>}: unique per process on one machine (and the instance id is unique anyway). */
    public static String defaultName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "agent";
        }
        String n = (host.replaceAll("[^A-Za-z0-9_.-]", "-") + "-" + ProcessHandle.current().pid());
        return n.length() > 64 ? n.substring(n.length() - 64) : n;
    }

    public String name() {
        return name;
    }

    /** The micro service's instance id (after {@link #start()}). */
    public String id() {
        return service.getId();
    }

    public LoadAgent start() throws IOException, InterruptedException {
        conn = Nats.connect(Options.builder().server(natsUrl).connectionName("stampede-agent-" + name)
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(250)).errorListener(new io.nats.client.ErrorListener() { })
                .build());
        service = Service.builder().connection(conn).name(AgentProtocol.SERVICE_NAME).version(AgentProtocol.SERVICE_VERSION)
                .description("Stampede load agent").metadata(Map.of(AgentProtocol.META_NAME, name)).build();
        service.addServiceEndpoints(endpoint("start", this::onStart), endpoint("change", this::onChange),
                endpoint("stop", this::onStop));
        service.startService();
        log.info("load agent {} ({}) up on {}", name, service.getId(), natsUrl);
        return this;
    }

    private ServiceEndpoint endpoint(String what, io.nats.service.ServiceMessageHandler h) {
        return ServiceEndpoint.builder().endpointName(what).endpointSubject(AgentProtocol.endpointSubject(service.getId(), what))
                .handler(m -> {
                    try {
                        h.onMessage(m);
                    } catch (RuntimeException e) {
                        log.warn("{} failed: {}", what, e.toString());
                        reply(m, false, e.getMessage());
                    }
                }).build();
    }

    private void reply(ServiceMessage m, boolean ok, String error) {
        reply(m, ok, error, -1);
    }

    private void reply(ServiceMessage m, boolean ok, String error, long scheduled) {
        m.respond(conn, AgentProtocol.write(new Reply(ok, error, service.getId(), name, System.currentTimeMillis(), scheduled)));
    }

    /** True while a run is active. */
    public boolean busy() {
        synchronized (lock) {
            return run != null;
        }
    }

    private void onStart(ServiceMessage m) {
        Start s = AgentProtocol.read(m.getData(), Start.class);
        LoadGenConfig.Builder b = LoadGenConfig.builder(natsUrl).baselineRate(s.rate() / s.count()).maxRate(s.maxRate() / s.count())
                .payloadSize(s.payloadSize()).subjectPattern(s.subject()).mode(PublishMode.valueOf(s.mode().toUpperCase(Locale.ROOT)))
                .connections(s.connections()).waitStrategy(WaitStrategyKind.valueOf(s.waitStrategy().toUpperCase(Locale.ROOT)))
                .runPrefix(s.runPrefix()).share(new ScheduleShare(s.index(), s.count(), s.startAtMs()))
                .shape(s.shape());
        if (s.durationS() != null) {
            b.duration(Duration.ofMillis(Math.round(s.durationS() * 1000)));
        }
        if (s.symbols() != null && !s.symbols().isEmpty()) {
            b.symbols(s.symbols());
        }
        LoadGenConfig cfg = b.build();
        LoadGenerator g;
        ProgressSender progress = s.progressSubject() == null ? null : new ProgressSender(s, new SendLedger(s.count()));
        synchronized (lock) {
            if (run != null) {
                reply(m, false, "busy with run " + runId);
                return;
            }
            g = new LoadGenerator(cfg);
            if (progress != null) {
                g.onSent(progress.ledger);
            }
            run = g;
            runId = s.runId();
            controls = ControlState.NONE;
            apply(g, s.controls() == null ? ControlState.NONE : s.controls());
        }
        g.onInterval(new Reporter(s, progress));
        try {
            g.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            synchronized (lock) {
                run = null;
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            reply(m, false, "start failed: " + e);
            return;
        }
        Thread w = new Thread(() -> watch(g), "stampede-agent-run");
        w.setDaemon(true);
        w.start();
        if (progress != null) {
            Thread p = new Thread(() -> progress.loop(), "stampede-agent-progress");
            p.setDaemon(true);
            p.start();
        }
        log.info("agent {}: run {} share {}/{} at {} msg/s from {}", name, s.runId(), s.index(), s.count(), cfg.baselineRate(),
                s.startAtMs());
        reply(m, true, null);
    }

    /** Ends the run when its schedule is done (or it was stopped): stop() ticks once more, the last report. */
    private void watch(LoadGenerator g) {
        try {
            while (!g.scheduleFinished() && current() == g) {
                g.awaitScheduleEnd(Duration.ofMillis(200));
            }
            g.stop(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            g.close();
            try {
                conn.flush(Duration.ofSeconds(2));
            } catch (java.util.concurrent.TimeoutException | InterruptedException | IllegalStateException ignored) {
                // the last report is already in the outgoing queue
            }
            synchronized (lock) {
                if (run == g) {
                    run = null;
                }
            }
        }
    }

    private LoadGenerator current() {
        synchronized (lock) {
            return run;
        }
    }

    private void onChange(ServiceMessage m) {
        ControlState c = AgentProtocol.read(m.getData(), ControlState.class);
        long scheduled;
        synchronized (lock) {
            if (run == null) {
                reply(m, false, "no run");
                return;
            }
            apply(run, c);
            scheduled = run.scheduled(); // the first original these controls act on (the coordinator's window marks)
        }
        reply(m, true, null, scheduled);
    }

    private void onStop(ServiceMessage m) {
        LoadGenerator g;
        synchronized (lock) {
            g = run;
            run = null; // the watcher sees it and stops the generator
        }
        // the watcher sees the run gone within 200 ms, stops it (stop() ticks a last time: the last report)
        reply(m, true, g == null ? "no run" : null);
    }

    /** Makes the generator's controls match {@code want}; caller holds lock. Stale versions are ignored. */
    private void apply(LoadGenerator g, ControlState want) {
        if (want.version() < controls.version()) {
            return;
        }
        for (String id : controls.multipliers().keySet()) {
            if (!want.multipliers().containsKey(id)) {
                g.removeMultiplier(id);
            }
        }
        for (Map.Entry<String, Double> e : want.multipliers().entrySet()) {
            if (!e.getValue().equals(controls.multipliers().get(e.getKey()))) {
                g.addMultiplier(e.getKey(), e.getValue());
            }
        }
        for (String id : controls.duplicates().keySet()) {
            if (!want.duplicates().containsKey(id)) {
                g.removeDuplicates(id);
            }
        }
        for (Map.Entry<String, Duplicates> e : want.duplicates().entrySet()) {
            if (!e.getValue().equals(controls.duplicates().get(e.getKey()))) {
                Duplicates d = e.getValue();
                g.addDuplicates(e.getKey(), d.rate(), d.delayMs(), d.mode());
            }
        }
        for (String id : controls.tags()) {
            if (!want.tags().contains(id)) {
                g.untag(id);
            }
        }
        for (String id : want.tags()) {
            if (!controls.tags().contains(id)) {
                g.tag(id);
            }
        }
        controls = want;
    }

    private long controlsVersion() {
        synchronized (lock) {
            return controls.version();
        }
    }

    /**
     * Publishes the ledger every {@link AgentProtocol#PROGRESS_PERIOD_MS} until the last one, which
     * goes right before the last report (same connection: the coordinator sees them in this order).
     */
    private final class ProgressSender {
        final SendLedger ledger;
        private final Start start;
        private long number;
        private boolean done;

        ProgressSender(Start start, SendLedger ledger) {
            this.start = start;
            this.ledger = ledger;
        }

        void loop() {
            while (true) {
                java.util.concurrent.locks.LockSupport.parkNanos(AgentProtocol.PROGRESS_PERIOD_MS * 1_000_000L);
                synchronized (this) {
                    if (done) {
                        return;
                    }
                }
                send(false);
            }
        }

        synchronized void send(boolean last) {
            if (done) {
                return;
            }
            done = last;
            SendLedger.Drained d = ledger.drain();
            AgentProtocol.Progress p = new AgentProtocol.Progress(start.runId(), service.getId(), start.index(), number++,
                    d.handed(), d.failed(), d.failedTotal(), last);
            try {
                conn.publish(start.progressSubject(), AgentProtocol.write(p));
            } catch (IllegalStateException e) {
                log.warn("progress {} not sent: {}", p.number(), e.toString());
            }
        }
    }

    /** Publishes each interval: counters and the encoded lateness histogram. */
    private final class Reporter implements LoadGenerator.IntervalListener {
        private final Start start;
        private final String subject;
        private final ProgressSender progress;
        private long number;

        Reporter(Start start, ProgressSender progress) {
            this.start = start;
            this.subject = start.reportSubject();
            this.progress = progress;
        }

        @Override
        public void onInterval(Histogram lateness, LoadStats stats, boolean last) {
            if (last && progress != null) {
                progress.send(true);
            }
            TrafficStats t = stats.total();
            Report r = new Report(start.runId(), service.getId(), name, start.index(), number++, last, System.currentTimeMillis(),
                    t.scheduled(), t.sent(), t.duplicatesSent(), t.buffered(), t.acked(), t.ackDuplicates(), t.failed(),
                    controlsVersion(), AgentProtocol.encode(lateness));
            try {
                conn.publish(subject, AgentProtocol.write(r));
            } catch (IllegalStateException e) {
                log.warn("report {} not sent: {}", r.number(), e.toString());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        LoadGenerator g;
        synchronized (lock) {
            g = run;
            run = null;
        }
        if (g != null) {
            g.stop(Duration.ZERO);
            g.close();
        }
        if (service != null) {
            service.stop();
        }
        if (conn != null) {
            try {
                conn.flush(Duration.ofSeconds(1));
            } catch (java.util.concurrent.TimeoutException | IllegalStateException ignored) {
                // closing anyway
            }
            conn.close();
        }
    }

    /** Blocks until the JVM is asked to exit (SIGTERM/SIGINT), then leaves the service. */
    public void awaitShutdown() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                close();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        }));
        done.await();
    }
}
