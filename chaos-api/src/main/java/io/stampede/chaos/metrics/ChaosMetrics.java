package io.stampede.chaos.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.stampede.chaos.servicefailure.DockerEngine;
import io.stampede.chaos.servicefailure.TargetsConfig;
import io.stampede.loadgen.LoadStats;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos API's series beyond its own meters: targets' CPU and memory under cAdvisor's names
 * ({@link ResourceMetrics}), nats-server's {@code /varz} and {@code /jsz} ({@link NatsMonitorMetrics}),
 * fault windows and live verdict counts ({@link ExperimentMetrics}). One daemon thread samples
 * every source each {@link MetricsConfig#period()}; a scrape of {@code /metrics} serves the last
 * round and never waits for Docker, /proc or HTTP. Every metric is listed in chaos-api/README.md.
 */
public final class ChaosMetrics implements MultiCollector, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChaosMetrics.class);

    private final List<MetricSource> sources;
    private final ScheduledExecutorService sampler;
    private volatile MetricSnapshots last = new MetricSnapshots();
    private volatile String lastFailure;

    ChaosMetrics(List<MetricSource> sources) {
        this.sources = List.copyOf(sources);
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chaos-metrics-sampler");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts sampling and registers with the registry {@code /metrics} serves. */
    public static ChaosMetrics start(MetricsConfig cfg, TargetsConfig targets, DockerEngine docker,
                                     ExperimentManager manager, Supplier<LoadStats> baseline, PrometheusRegistry registry) {
        List<MetricSource> sources = new ArrayList<>();
        sources.add(new ResourceMetrics(targets.targets(), docker, ProcessHandle.current().pid()));
        if (cfg.natsMonitorUrl() != null) {
            sources.add(new NatsMonitorMetrics(cfg.natsMonitorUrl()));
        }
        sources.add(new ExperimentMetrics(manager, baseline, Clock.systemUTC()));
        ChaosMetrics m = new ChaosMetrics(sources);
        m.sampleNow();
        registry.register(m);
        m.sampler.scheduleWithFixedDelay(m::sampleNow, cfg.period().toMillis(), cfg.period().toMillis(), TimeUnit.MILLISECONDS);
        return m;
    }

    /** One round over every source; a failing source loses its series for the round, not the others'. */
    void sampleNow() {
        Families all = new Families();
        for (MetricSource s : sources) {
            Families one = new Families();
            try {
                s.sample(one);
                all.addAll(one);
            } catch (RuntimeException e) {
                String msg = s.getClass().getSimpleName() + ": " + e;
                if (!msg.equals(lastFailure)) {
                    log.warn("metrics source failed: {}", msg);
                }
                lastFailure = msg;
            }
        }
        last = all.build();
    }

    @Override
    public MetricSnapshots collect() {
        return last;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
