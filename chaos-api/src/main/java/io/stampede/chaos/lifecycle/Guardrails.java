package io.stampede.chaos.lifecycle;

import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.experiment.AbortIf;
import io.stampede.chaos.experiment.ExperimentState;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stop conditions. On its own thread it samples the system under test's error and request
 * counters and its targets' health; a running experiment whose {@code abort_if} is met is
 * aborted (and so reverted). Target health changes go into running experiments' timelines.
 */
public final class Guardrails implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Guardrails.class);

    /** Cumulative increases (counter resets and scrape gaps handled as Prometheus' increase() does). */
    private record Sample(Instant at, double errors, double requests) {}

    /** One counter's last raw value and the sum of its increases so far. */
    private static final class Counter {
        double last = Double.NaN;
        double increase;

        void observe(double v) {
            if (Double.isNaN(v)) {
                return; // a gap: the next value is compared with the last one seen
            }
            if (!Double.isNaN(last)) {
                increase += v >= last ? v - last : v; // a drop is a restart: the counter began again at 0
            }
            last = v;
        }
    }

    private final Map<ChaosConfig.MetricRef, Counter> counters = new LinkedHashMap<>();

    private final ExperimentManager manager;
    private final ChaosConfig cfg;
    private final MetricsPages pages = new MetricsPages(Duration.ofMillis(800));
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "guardrails");
        t.setDaemon(true);
        return t;
    });
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final Map<String, Instant> downSince = new LinkedHashMap<>();
    private final Map<String, Boolean> lastUp = new LinkedHashMap<>();
    private final Duration period;
    private final java.util.Set<String> fired = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Supplier<Map<String, Boolean>> health;

    /** {@code health}: target → up from the periodic probes (see TargetHealth). */
    public Guardrails(ExperimentManager manager, ChaosConfig cfg, Supplier<Map<String, Boolean>> health) {
        this.manager = manager;
        this.cfg = cfg;
        this.health = health;
        long ms = manager.scale().of(1).toMillis();
        this.period = Duration.ofMillis(Math.max(50, Math.min(1000, ms)));
    }

    public Duration period() {
        return period;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::tickSafely, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("guardrail tick failed: {}", e.toString());
        }
    }

    private void tick() {
        List<Experiment> running = manager.active().stream().filter(e -> e.state() == ExperimentState.RUNNING).toList();
        boolean needCounters = running.stream().anyMatch(e -> e.abortIf() != null && e.abortIf().errorRatePct() != null);
        Instant now = Instant.now();
        if (needCounters) {
            List<ChaosConfig.MetricRef> refs = new java.util.ArrayList<>(cfg.errorMetrics());
            refs.addAll(cfg.requestMetrics());
            Map<ChaosConfig.MetricRef, Double> read = pages.read(refs); // one request per page for both
            samples.addLast(new Sample(now, increase(cfg.errorMetrics(), read), increase(cfg.requestMetrics(), read)));
            while (samples.size() > 2 && samples.peekFirst().at.isBefore(now.minus(Duration.ofHours(1)))) {
                samples.removeFirst();
            }
        }
        health.get().forEach((target, up) -> {
            Boolean before = lastUp.put(target, up);
            if (up) {
                downSince.remove(target);
            } else {
                downSince.putIfAbsent(target, now);
            }
            if (before != null && before != up) {
                JsonObject data = new JsonObject().put("target", target).put("status", up ? "up" : "down");
                running.forEach(e -> manager.timelineEvent(e, "target_health", data));
            }
        });
        for (Experiment e : running) {
            AbortIf a = e.abortIf();
            if (a == null) {
                continue;
            }
            String reason = check(a, now);
            if (reason != null && fired.add(e.id())) {
                log.warn("guardrail fired for {}: {}", e.id(), reason);
                manager.timelineEvent(e, "guardrail_fired", new JsonObject().put("reason", reason));
                manager.endAsync(e, ExperimentState.ABORTED, "guardrail: " + reason);
            }
        }
    }

    private String check(AbortIf a, Instant now) {
        if (a.errorRatePct() != null && !samples.isEmpty()) {
            Instant from = now.minus(scaled(a.windowS()));
            // the newest sample at or before the window's start (or the oldest we have)
            Sample first = samples.peekFirst();
            for (Sample s : samples) {
                if (s.at.isAfter(from)) {
                    break;
                }
                first = s;
            }
            Sample last = samples.peekLast();
            double requests = last.requests - first.requests;
            double errors = last.errors - first.errors;
            if (requests > 0 && !Double.isNaN(errors)) {
                double pct = 100.0 * errors / requests;
                if (pct > a.errorRatePct()) {
                    return String.format(java.util.Locale.ROOT, "error rate %.2f%% > %.2f%% over %ss (%d errors / %d requests)",
                            pct, a.errorRatePct(), a.windowS(), (long) errors, (long) requests);
                }
            }
        }
        for (Map.Entry<String, Integer> t : a.targetDownS().entrySet()) {
            Instant since = downSince.get(t.getKey());
            if (since != null && !since.plus(scaled(t.getValue())).isAfter(now)) {
                return "target " + t.getKey() + " down for " + t.getValue() + " s";
            }
        }
        return null;
    }

    private Duration scaled(int seconds) {
        return manager.scale().of(seconds);
    }

    /** The summed increases of {@code refs}; an unreachable page or a missing metric is a gap, not a zero. */
    private double increase(List<ChaosConfig.MetricRef> refs, Map<ChaosConfig.MetricRef, Double> read) {
        double total = 0;
        for (ChaosConfig.MetricRef ref : refs) {
            Counter c = counters.computeIfAbsent(ref, r -> new Counter());
            c.observe(read.getOrDefault(ref, Double.NaN));
            total += c.increase;
        }
        return total;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
