package io.stampede.chaos.metrics;

import io.stampede.chaos.experiment.ExperimentSpec;
import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.lifecycle.Experiment;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.stampede.loadgen.LatencySummary;
import io.stampede.loadgen.LoadStats;
import io.stampede.loadgen.TrafficStats;
import io.stampede.loadgen.VerifierStats;
import io.stampede.reports.Integrity;
import io.stampede.reports.Verdict;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Experiments as series, for dashboards and alerts:
 * <ul>
 *   <li>{@code stampede_fault_active{experiment_id,type,target}}: 1 while the fault is applied
 *       (applying, applied or being reverted), else 0; served for experiments not yet ended and for
 *       {@link #RECENT} after their end, so a fault window reads as a 0 → 1 → 0 step (Grafana
 *       annotation query: {@code stampede_fault_active == 1});</li>
 *   <li>{@code stampede_verdict_overdue|lost|duplicated{experiment_id,type}}: the verdict's live
 *       integrity counts (overdue while an outcome may still come, lost only when final);</li>
 *   <li>the baseline traffic: {@code stampede_baseline_target_rate} and
 *       {@code stampede_baseline_achieved_rate} (msg/s, last second), {@code stampede_baseline_sent_total},
 *       {@code _duplicates_sent_total}, {@code _acked_total}, {@code _failed_total}; its delivery
 *       verifier: {@code stampede_verifier_expected_total}, {@code _delivered_total},
 *       {@code _duplicated_total}, {@code stampede_verifier_overdue}, and the end-to-end latency
 *       (intended send → decision) {@code stampede_e2e_latency_seconds{quantile="0.5|0.99|0.999|1"}}.</li>
 * </ul>
 * The {@code target} label: {@code nats} for {@code nats_latency}, the service for
 * {@code service_failure}, {@code agent} for {@code backpressure} and {@code duplicate_messages}
 * (they act on the agent's input), {@code gateway} for {@code load_test}.
 */
final class ExperimentMetrics implements MetricSource {
    static final Duration RECENT = Duration.ofMinutes(15);
    static final String FAULT_ACTIVE = "stampede_fault_active";
    private static final String FAULT_HELP = "1 while the experiment's fault is applied, 0 before and after";

    private final ExperimentManager manager;
    private final Supplier<LoadStats> baseline;
    private final Clock clock;

    ExperimentMetrics(ExperimentManager manager, Supplier<LoadStats> baseline, Clock clock) {
        this.manager = manager;
        this.baseline = baseline;
        this.clock = clock;
    }

    static String target(ExperimentSpec spec) {
        return switch (spec.kind()) {
            case SERVICE_FAILURE -> ((ServiceFailure) spec).service();
            case NATS_LATENCY -> "nats";
            case BACKPRESSURE, DUPLICATE_MESSAGES -> "agent";
            case LOAD_TEST -> "gateway";
            case MESSAGE_FAULTS -> "unknown";
        };
    }

    @Override
    public void sample(Families out) {
        out.declare(false, FAULT_ACTIVE, FAULT_HELP);
        Instant since = clock.instant().minus(RECENT);
        for (Experiment e : manager.list()) {
            Experiment.View v = e.view();
            if (v.state().isFinal() && v.endedAt() != null && v.endedAt().isBefore(since)) {
                continue;
            }
            String id = e.id();
            String type = e.type();
            out.gauge(FAULT_ACTIVE, FAULT_HELP, v.fault().mayBeApplied() ? 1 : 0,
                    "experiment_id", id, "type", type, "target", target(e.spec()));
            Verdict verdict = verdict(e);
            if (verdict != null) {
                Integrity in = verdict.integrity();
                out.gauge("stampede_verdict_overdue", "Ids the experiment answers for whose outcome is late (may still come)",
                        in.overdue(), "experiment_id", id, "type", type);
                out.gauge("stampede_verdict_lost", "Ids the experiment answers for that are lost (final verdicts only)",
                        in.lost(), "experiment_id", id, "type", type);
                out.gauge("stampede_verdict_duplicated", "Ids the experiment answers for that were processed twice",
                        in.duplicated(), "experiment_id", id, "type", type);
            }
        }
        LoadStats s = baseline.get();
        if (s != null) {
            baseline(out, s);
        }
    }

    private Verdict verdict(Experiment e) {
        try {
            return manager.verdict(e);
        } catch (RuntimeException failure) {
            return null;
        }
    }

    private static void baseline(Families out, LoadStats s) {
        TrafficStats t = s.total();
        out.gauge("stampede_baseline_target_rate", "Baseline messages per second asked for (multipliers included)", s.targetRate());
        out.gauge("stampede_baseline_achieved_rate", "Baseline messages per second published in the last second", t.achievedRate());
        out.counter("stampede_baseline_sent", "Baseline originals published", t.sent());
        out.counter("stampede_baseline_duplicates_sent", "Duplicates published (duplicate_messages)", t.duplicatesSent());
        out.counter("stampede_baseline_acked", "Publishes JetStream acknowledged", t.acked());
        out.counter("stampede_baseline_failed", "Publishes that failed", t.failed());
        VerifierStats v = s.verifier();
        if (v != null) {
            out.counter("stampede_verifier_expected", "Ids the delivery verifier expects an outcome for", v.expected());
            out.counter("stampede_verifier_delivered", "Ids with at least one outcome", v.delivered());
            out.counter("stampede_verifier_duplicated", "Ids processed more than once", v.duplicated());
            out.gauge("stampede_verifier_overdue", "Ids whose outcome is overdue now", v.overdue());
            LatencySummary e2e = v.e2e();
            String help = "Intended send time to decision, over the verifier's last interval";
            out.gauge("stampede_e2e_latency_seconds", help, e2e.p50Micros() / 1e6, "quantile", "0.5");
            out.gauge("stampede_e2e_latency_seconds", help, e2e.p99Micros() / 1e6, "quantile", "0.99");
            out.gauge("stampede_e2e_latency_seconds", help, e2e.p999Micros() / 1e6, "quantile", "0.999");
            out.gauge("stampede_e2e_latency_seconds", help, e2e.maxMicros() / 1e6, "quantile", "1");
        }
    }

    private static double num(JsonObject o, String key) {
        Object v = o.getValue(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
