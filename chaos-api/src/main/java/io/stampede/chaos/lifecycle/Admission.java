package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.Backpressure;
import io.stampede.chaos.experiment.ExperimentSpec;
import io.stampede.chaos.experiment.Limits;
import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.experiment.SpecType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether new experiments may join the live ones: one service_failure per service at a
 * time (409), baseline × overlapping multipliers within [floor, cap] (400 below the floor, 409
 * above the cap), and the bounds on how many experiments and load-test JVMs run at once (429).
 * Pure: it reads the windows it is given and throws {@link ApiException}.
 */
final class Admission {
    /** An experiment's planned time window; {@code owner} is its id, null for a step being created. */
    record Window(ExperimentSpec spec, Instant start, Instant end, String owner) {
        boolean overlaps(Window o) {
            return start.isBefore(o.end) && o.start.isBefore(end);
        }
    }

    private final Limits limits;

    Admission(Limits limits) {
        this.limits = limits;
    }

    void check(List<Window> live, List<Window> planned) {
        if (live.size() + planned.size() > limits.maxActive()) {
            throw new ApiException(429, "too_many_experiments", "at most " + limits.maxActive()
                    + " experiments may be scheduled or running at once (STAMPEDE_MAX_ACTIVE_EXPERIMENTS); "
                    + live.size() + " are; nothing was started",
                    List.of(new Problem("experiments", "limit " + limits.maxActive() + " reached")));
        }
        List<Window> windows = new ArrayList<>(live);
        for (Window w : planned) {
            Runnable check = switch (w.spec().kind()) {
                case SERVICE_FAILURE -> () -> checkService(windows, w, (ServiceFailure) w.spec());
                case LOAD_TEST -> () -> checkLoadTests(windows, w);
                case BACKPRESSURE -> () -> checkRate(windows, w);
                case NATS_LATENCY, MESSAGE_FAULTS, DUPLICATE_MESSAGES -> () -> { };
            };
            check.run();
            windows.add(w);
        }
    }

    /** One service_failure per service at a time. */
    private static void checkService(List<Window> windows, Window w, ServiceFailure sf) {
        for (Window other : windows) {
            if (other.spec() instanceof ServiceFailure osf && osf.conflictsWith(sf) && other.overlaps(w)) {
                String who = other.owner() == null ? "another step of this plan" : other.owner();
                throw new ApiException(409, "conflict", "service " + sf.service() + " already has a service_failure: " + who,
                        List.of(new Problem("service", "busy with " + who)));
            }
        }
    }

    /** At most maxLoadTests Gatling JVMs at once. */
    private void checkLoadTests(List<Window> windows, Window w) {
        long overlapping = windows.stream().filter(o -> o.spec().kind() == SpecType.LOAD_TEST && o.overlaps(w)).count();
        if (overlapping + 1 > limits.maxLoadTests()) {
            throw new ApiException(429, "too_many_load_tests", "at most " + limits.maxLoadTests()
                    + " load_test experiments may run at once, each is a Gatling JVM (STAMPEDE_MAX_LOAD_TESTS); nothing was started",
                    List.of(new Problem("type", "load_test limit " + limits.maxLoadTests() + " reached")));
        }
    }

    /** Every instant of w's window: the product of the multipliers overlapping it stays within bounds. */
    private void checkRate(List<Window> windows, Window w) {
        // the extremes of the product are reached at some window's start inside w (or at w's start)
        List<Instant> points = new ArrayList<>();
        points.add(w.start());
        for (Window o : windows) {
            if (o.spec() instanceof Backpressure && o.overlaps(w) && o.start().isAfter(w.start())) {
                points.add(o.start());
            }
        }
        double lowest = Double.POSITIVE_INFINITY;
        double highest = 0;
        for (Instant t : points) {
            double product = ((Backpressure) w.spec()).rateMultiplier();
            for (Window o : windows) {
                if (o.spec() instanceof Backpressure obp && !o.start().isAfter(t) && o.end().isAfter(t)) {
                    product *= obp.rateMultiplier();
                }
            }
            lowest = Math.min(lowest, product);
            highest = Math.max(highest, product);
        }
        double high = limits.baselineRate() * highest;
        if (high > limits.maxMessageRate()) {
            throw new ApiException(409, "rate_cap", String.format(Locale.ROOT,
                    "baseline %.0f msg/s × active multipliers %.3g = %.0f msg/s exceeds the cap of %.0f msg/s (STAMPEDE_MAX_MESSAGE_RATE)",
                    limits.baselineRate(), highest, high, limits.maxMessageRate()),
                    List.of(new Problem("rate_multiplier", "combined rate above the cap " + (long) limits.maxMessageRate() + " msg/s")));
        }
        double low = limits.baselineRate() * lowest;
        if (!(low >= limits.minMessageRate())) {
            throw new ApiException(400, "validation_failed", String.format(Locale.ROOT,
                    "baseline %s msg/s × active multipliers %.3g = %.3g msg/s is below the floor of %s msg/s (STAMPEDE_MIN_MESSAGE_RATE)",
                    limits.baselineRate(), lowest, low, limits.minMessageRate()),
                    List.of(new Problem("rate_multiplier", "combined rate below the floor " + limits.minMessageRate() + " msg/s")));
        }
    }
}
