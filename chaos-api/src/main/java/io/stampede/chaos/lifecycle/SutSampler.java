package io.stampede.chaos.lifecycle;

import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once a second, the system under test's own counters (the configured Prometheus endpoints: by
 * default the seed's metric names on the gateway and agent) and its consumer backlog, appended as
 * one {@code sut} record to {@code counters.jsonl} of every running experiment (and its plan) and
 * of the baseline run, so the verdict and the report show webhooks, signals, decisions and errors
 * over time next to the faults. A page that does not answer leaves its metrics out of that
 * second's record: a gap, never a zero.
 */
public final class SutSampler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SutSampler.class);
    public static final String SOURCE = "sut";

    private final ExperimentManager manager;
    private final List<ChaosConfig.MetricRef> metrics;
    private final Supplier<Long> backlog;
    private final Supplier<Path> baselineRunDir;
    private final Path runsDir;
    private final MetricsPages pages = new MetricsPages(Duration.ofMillis(500));
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sut-sampler");
        t.setDaemon(true);
        return t;
    });

    public SutSampler(ExperimentManager manager, List<ChaosConfig.MetricRef> metrics, Supplier<Long> backlog,
                      Supplier<Path> baselineRunDir, Path runsDir) {
        this.manager = manager;
        this.metrics = List.copyOf(metrics);
        this.backlog = backlog;
        this.baselineRunDir = baselineRunDir;
        this.runsDir = runsDir;
    }

    public SutSampler start(Duration period) {
        thread.scheduleWithFixedDelay(this::tickSafely, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.debug("sut sample failed: {}", e.toString());
        }
    }

    /** One sample, written where it belongs; returns it (tests). */
    Map<String, Number> tick() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Experiment e : manager.active()) {
            if (e.state() == ExperimentState.RUNNING) {
                dirs.add(e.runDir());
                if (e.planId() != null) {
                    dirs.add(runsDir.resolve(e.planId()));
                }
            }
        }
        Path baseline = baselineRunDir.get();
        if (baseline != null) {
            dirs.add(baseline);
        }
        if (dirs.isEmpty()) {
            return Map.of();
        }
        Map<String, Number> values = sample();
        long now = System.currentTimeMillis();
        for (Path d : dirs) {
            try (RunWriter w = RunWriter.open(d)) {
                w.appendCounters(new CounterRecord(now, SOURCE, null, values));
            } catch (RuntimeException failure) {
                log.debug("counters.jsonl in {}: {}", d, failure.toString());
            }
        }
        return values;
    }

    Map<String, Number> sample() {
        Map<String, Number> values = new LinkedHashMap<>();
        pages.read(metrics).forEach((ref, v) -> {
            if (!Double.isNaN(v)) {
                values.merge(ref.metric(), v, (x, y) -> x.doubleValue() + y.doubleValue());
            }
        });
        Long b = backlog.get();
        if (b != null) {
            values.put("consumer_backlog_now", b);
        }
        return values;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
