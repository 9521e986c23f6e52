package io.stampede.demo;

/** Reads values out of Prometheus text exposition. */
public final class Metrics {
    private Metrics() {}

    public static double sum(String exposition, String name) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String metric = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            if (metric.equals(name)) {
                total += Double.parseDouble(line.substring(space + 1));
            }
        }
        return total;
    }
}
