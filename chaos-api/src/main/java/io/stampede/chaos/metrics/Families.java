package io.stampede.chaos.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sampling round's series, grouped by metric family. A source adds gauges and counters by
 * name; {@link #build()} turns them into Prometheus snapshots. Counter names are given without
 * {@code _total}: the exposition appends it ({@code container_cpu_usage_seconds} is served as
 * {@code container_cpu_usage_seconds_total}).
 */
final class Families {
    private record Point(Labels labels, double value) {}

    private record Family(boolean counter, String help, List<Point> points) {}

    private final Map<String, Family> families = new LinkedHashMap<>();

    Families gauge(String name, String help, double value, String... labels) {
        return add(false, name, help, value, labels);
    }

    Families counter(String name, String help, double value, String... labels) {
        return add(true, name, help, value, labels);
    }

    /** Declares a family with no series yet (so its HELP/TYPE is served even while idle). */
    Families declare(boolean counter, String name, String help) {
        families.computeIfAbsent(name, n -> new Family(counter, help, new ArrayList<>()));
        return this;
    }

    private Families add(boolean counter, String name, String help, double value, String... labels) {
        Family f = families.computeIfAbsent(name, n -> new Family(counter, help, new ArrayList<>()));
        if (f.counter != counter) {
            throw new IllegalArgumentException(name + " is already a " + (f.counter ? "counter" : "gauge"));
        }
        if (!Double.isNaN(value)) {
            f.points.add(new Point(Labels.of(labels), value));
        }
        return this;
    }

    Families addAll(Families other) {
        other.families.forEach((name, f) -> {
            Family mine = families.computeIfAbsent(name, n -> new Family(f.counter, f.help, new ArrayList<>()));
            mine.points.addAll(f.points);
        });
        return this;
    }

    /** Names of the families, for tests and docs. */
    List<String> names() {
        return List.copyOf(families.keySet());
    }

    MetricSnapshots build() {
        List<MetricSnapshot> out = new ArrayList<>();
        families.forEach((name, f) -> {
            if (f.points.isEmpty()) {
                return;
            }
            if (f.counter) {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(f.help);
                f.points.forEach(p -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(p.labels).value(p.value).build()));
                out.add(b.build());
            } else {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(f.help);
                f.points.forEach(p -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(p.labels).value(p.value).build()));
                out.add(b.build());
            }
        });
        return new MetricSnapshots(out);
    }
}
