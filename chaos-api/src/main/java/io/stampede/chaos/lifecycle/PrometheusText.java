package io.stampede.chaos.lifecycle;

/** Reads values out of Prometheus text exposition (what the SUT's /metrics answer). */
final class PrometheusText {
    private PrometheusText() {}

    /** Sum over every series of {@code name}; NaN when the metric is absent. */
    static double sum(String exposition, String name) {
        double total = 0;
        boolean seen = false;
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String metric = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, line.indexOf(' '));
            if (metric.equals(name)) {
                try {
                    total += Double.parseDouble(line.substring(space + 1).trim());
                    seen = true;
                } catch (NumberFormatException ignored) {
                    // a malformed line from someone else's exporter
                }
            }
        }
        return seen ? total : Double.NaN;
    }
}
