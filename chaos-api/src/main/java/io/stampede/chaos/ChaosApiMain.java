package io.stampede.chaos;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.chaos.inject.InjectorFactory;
import io.stampede.chaos.inject.Injectors;
import io.stampede.chaos.lifecycle.Experiment;
import io.stampede.chaos.lifecycle.ExperimentListener;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.stampede.chaos.lifecycle.Guardrails;
import io.stampede.chaos.lifecycle.Journal;
import io.stampede.chaos.loadtest.LoadTestInjector;
import io.stampede.chaos.loadtest.LoadTestIntegrity;
import io.stampede.chaos.loadtest.SimulationLauncher;
import io.stampede.chaos.metrics.ChaosMetrics;
import io.stampede.chaos.metrics.MetricsConfig;
import io.stampede.chaos.proxy.DuplicateMessagesRouter;
import io.stampede.chaos.proxy.MessageFaultsInjector;
import io.stampede.chaos.proxy.NatsLatencyInjector;
import io.stampede.chaos.servicefailure.DockerEngine;
import io.stampede.chaos.servicefailure.ServiceFailureInjector;
import io.stampede.chaos.traffic.BackpressureInjector;
import io.stampede.chaos.lifecycle.SutSampler;
import io.stampede.chaos.lifecycle.Verdicts;
import io.stampede.chaos.traffic.BaselineTraffic;
import io.stampede.chaos.traffic.ConsumerBacklog;
import io.stampede.chaos.traffic.DuplicateMessagesInjector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The control API process: {@code java -jar chaos-api/target/chaos-api.jar}. */
public final class ChaosApiMain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChaosApiMain.class);
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(25);

    private final Vertx vertx;
    private final ChaosApiVerticle verticle;
    private final ExperimentManager manager;
    private final Guardrails guardrails;
    private final SutSampler sampler;
    private final ChaosMetrics metrics;

    private ChaosApiMain(Vertx vertx, ChaosApiVerticle verticle, ExperimentManager manager, Guardrails guardrails,
                         SutSampler sampler, ChaosMetrics metrics) {
        this.sampler = sampler;
        this.vertx = vertx;
        this.verticle = verticle;
        this.manager = manager;
        this.guardrails = guardrails;
        this.metrics = metrics;
    }

    /**
     * The injectors, one per experiment type. {@code STAMPEDE_INJECTORS=default} builds the real
     * ones here: {@code nats_latency}, {@code message_faults} and {@code duplicate_messages} with
     * {@code source: "bus"} → the proxy's admin API; {@code service_failure} →
     * the configured targets (processes, Docker containers); {@code load_test} → a Gatling child
     * JVM; {@code backpressure} and {@code duplicate_messages} → {@code traffic}, the baseline traffic
     * (null when STAMPEDE_BASELINE is off: those two then answer 409 saying how to switch it on). Any
     * other name is an {@link InjectorFactory} found with {@link ServiceLoader} (tests plug in a
     * recording injector this way, also into a child JVM).
     */
    public static Injectors injectorsFor(ChaosConfig cfg, BaselineTraffic traffic) {
        if ("default".equals(cfg.injectors())) {
            List<FaultInjector<?>> out = new ArrayList<>();
            out.add(new NatsLatencyInjector(cfg.proxyAdminUrl()));
            out.add(new MessageFaultsInjector(cfg.proxyAdminUrl()));
            out.add(new ServiceFailureInjector(cfg.serviceTargets(), DockerEngine.fromEnv(System.getenv())));
            out.add(new LoadTestInjector(SimulationLauncher.forTarget(cfg.home().resolve("simulations").resolve("target")),
                    LoadTestInjector.DEFAULT_STOP_GRACE, new LoadTestIntegrity.Config(cfg.natsUrl(), cfg.sut().verifier()), cfg.sut().systemPath()));
            out.add(new BackpressureInjector(traffic));
            out.add(new DuplicateMessagesRouter(new DuplicateMessagesInjector(traffic), cfg.proxyAdminUrl()));
            return new Injectors(out);
        }
        var factories = ServiceLoader.load(InjectorFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        return factories.stream().filter(f -> f.name().equals(cfg.injectors())).findFirst()
                .map(f -> new Injectors(f.create(cfg)))
                .orElseThrow(() -> new IllegalArgumentException("STAMPEDE_INJECTORS=" + cfg.injectors() + " is unknown; available: default, "
                        + factories.stream().map(InjectorFactory::name).collect(Collectors.joining(", "))));
    }

    /** With the injectors of {@link #injectorsFor}: the baseline traffic starts here when STAMPEDE_BASELINE=on. */
    public static Future<ChaosApiMain> start(ChaosConfig cfg) {
        Future<Void> allowed = checkBind(cfg);
        if (allowed.failed()) {
            return allowed.map(v -> null);
        }
        BaselineTraffic baseline = "default".equals(cfg.injectors()) && cfg.baseline() ? BaselineTraffic.start(cfg) : null;
        return serve(cfg, injectorsFor(cfg, baseline), baseline);
    }

    /** With these injectors and no baseline traffic (tests plug in recording injectors this way). */
    public static Future<ChaosApiMain> start(ChaosConfig cfg, Injectors injectors) {
        Future<Void> allowed = checkBind(cfg);
        return allowed.failed() ? allowed.map(v -> null) : serve(cfg, injectors, null);
    }

    /** Refuses a non-loopback bind without a token, unless explicitly opted out. */
    private static Future<Void> checkBind(ChaosConfig cfg) {
        if (!cfg.loopbackOnly() && cfg.apiToken() == null) {
            if (!cfg.allowNoToken()) {
                return Future.failedFuture(new IllegalArgumentException("binding " + cfg.host()
                        + " requires STAMPEDE_API_TOKEN (or STAMPEDE_ALLOW_NO_TOKEN=true if only the host's loopback can reach it)"));
            }
            log.warn("chaos API on {} WITHOUT a token (STAMPEDE_ALLOW_NO_TOKEN=true): anyone who reaches it can inject faults", cfg.host());
        }
        return Future.succeededFuture();
    }

    /**
     * Recovers the journal (reverting what a crashed predecessor left applied), then serves. {@code baseline}
     * (or null) is the baseline traffic the injectors act on: the verdicts observe it, and it tags
     * its messages with the experiments active at their send time.
     */
    private static Future<ChaosApiMain> serve(ChaosConfig cfg, Injectors injectors, BaselineTraffic baseline) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        Vertx vertx = Vertx.vertx();
        TargetHealth health = new TargetHealth(vertx, cfg, registry);
        ConsumerBacklog backlog = new ConsumerBacklog(cfg.natsUrl(), cfg.sutStream(), cfg.sutConsumer());
        Verdicts.Sources sources = new Verdicts.Sources(
                () -> baseline == null ? null : baseline.verifier(),
                baseline == null ? () -> null : backlog::get,
                target -> health.snapshot().get(target),
                () -> baseline == null ? null : baseline.runDir());
        ExperimentManager manager = new ExperimentManager(new Journal(cfg.journalFile()), injectors, cfg.limits(),
                cfg.scale(), cfg.runsDir(), new ExperimentManager.Retention(cfg.bounds().maxHistory(), cfg.bounds().runsRetained()),
                registry, new ExperimentManager.Judging(sources, cfg.verdictTiming()), tagging(baseline));
        var recovered = manager.recover();
        if (!recovered.isEmpty()) {
            log.warn("recovered {} experiment(s) left active by a previous run; their faults were reverted", recovered.size());
        }
        SutSampler sampler = new SutSampler(manager, cfg.sutMetrics(), baseline == null ? () -> null : backlog::get,
                () -> baseline == null ? null : baseline.runDir(), cfg.runsDir()).start(cfg.scale().of(1).compareTo(java.time.Duration.ofMillis(100)) < 0
                        ? java.time.Duration.ofMillis(100) : java.time.Duration.ofSeconds(1));
        ChaosMetrics metrics = ChaosMetrics.start(MetricsConfig.fromEnv(System.getenv(), cfg.sut().file().nats().monitorUrl()), cfg.serviceTargets(),
                DockerEngine.fromEnv(System.getenv()), manager, baseline == null ? () -> null : baseline::loadStats,
                registry.getPrometheusRegistry());
        Guardrails guardrails = new Guardrails(manager, cfg, health::snapshot);
        health.start(guardrails.period().toMillis());
        guardrails.start();
        ChaosApiVerticle verticle = new ChaosApiVerticle(cfg, registry, manager, health);
        verticle.baseline(baseline);
        return vertx.deployVerticle(verticle)
                .map(id -> new ChaosApiMain(vertx, verticle, manager, guardrails, sampler, metrics))
                .onFailure(e -> {
                    metrics.close();
                    guardrails.close();
                    sampler.close();
                    manager.close();
                    vertx.close();
                });
    }

    /** The baseline traffic tags its messages with the ids of every experiment active at their intended send time. */
    private static ExperimentListener tagging(BaselineTraffic baseline) {
        if (baseline == null) {
            return ExperimentListener.NONE;
        }
        return new ExperimentListener() {
            @Override
            public void applied(Experiment e) {
                baseline.tag(e.id());
            }

            @Override
            public void ended(Experiment e) {
                baseline.untag(e.id());
            }
        };
    }

    public int port() {
        return verticle.actualPort();
    }

    public ExperimentManager manager() {
        return manager;
    }

    /** Reverts every active fault, then stops serving. */
    @Override
    public void close() {
        metrics.close();
        guardrails.close();
        sampler.close();
        manager.shutdown(SHUTDOWN_TIMEOUT);
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("vert.x close: {}", e.toString());
        }
    }

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        ChaosApiMain api;
        try {
            api = start(ChaosConfig.fromEnv(System.getenv())).toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException e) {
            log.error("chaos API failed to start: {}", e.getCause() == null ? e.toString() : e.getCause().toString());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("chaos API stopping: reverting active faults");
            api.close();
            log.info("chaos API stopped");
        }, "chaos-api-shutdown"));
    }
}
