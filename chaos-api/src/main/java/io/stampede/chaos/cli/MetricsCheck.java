package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.reason;

import io.stampede.system.SystemFile;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every scrape endpoint answers; every named counter is on at least one of them. */
final class MetricsCheck {
    private final CheckReport report;
    private final CheckHttp http;

    MetricsCheck(CheckReport report, CheckHttp http) {
        this.report = report;
        this.http = http;
    }

    void check(SystemFile.Metrics m) {
        Map<URI, String> pages = new LinkedHashMap<>();
        for (int i = 0; i < m.scrape().size(); i++) {
            URI u = m.scrape().get(i);
            String key = "metrics.scrape[" + i + "]";
            try {
                HttpResponse<String> r = http.get(u);
                if (r.statusCode() == 200) {
                    pages.put(u, r.body());
                    report.ok(key, u + " answered 200");
                } else {
                    report.fail(key, u + " answered " + r.statusCode());
                }
            } catch (Exception e) {
                report.fail(key, u + " unreachable: " + reason(e));
            }
        }
        if (pages.isEmpty()) {
            return;
        }
        Map<String, List<String>> named = new LinkedHashMap<>();
        named.put("errors", m.errors());
        named.put("processed", m.processed());
        named.put("requests", m.requests());
        named.put("duplicates_detected", m.duplicatesDetected());
        named.forEach((key, names) -> {
            for (String name : names) {
                counter("metrics." + key, name, pages);
            }
        });
    }

    /** A counter is found under its name or with {@code _total} added or removed: exporters differ on the suffix. */
    private void counter(String key, String name, Map<URI, String> pages) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<URI, String> page : pages.entrySet()) {
            for (String candidate : List.of(name, name.endsWith("_total") ? name.substring(0, name.length() - 6) : name + "_total")) {
                Double v = sample(page.getValue(), candidate);
                if (v != null) {
                    found.add((candidate.equals(name) ? "" : "as " + candidate + " ") + "= " + number(v) + " on " + page.getKey());
                    break;
                }
            }
        }
        if (found.isEmpty()) {
            report.fail(key, "counter " + name + " not found on any of "
                    + String.join(", ", pages.keySet().stream().map(URI::toString).toList()));
        } else {
            report.ok(key, name + " " + String.join(", ", found));
        }
    }

    /**
     * The sum of the samples of {@code name} in a Prometheus text exposition (every label set),
     * or null when no line has it.
     */
    static Double sample(String text, String name) {
        Double sum = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || !line.startsWith(name) || line.length() == name.length()) {
                continue;
            }
            char next = line.charAt(name.length());
            String rest;
            if (next == '{') {
                int close = line.lastIndexOf('}');
                if (close < 0) {
                    continue;
                }
                rest = line.substring(close + 1).strip();
            } else if (next == ' ' || next == '\t') {
                rest = line.substring(name.length()).strip();
            } else {
                continue;
            }
            double v;
            try {
                v = Double.parseDouble(rest.split("\\s+")[0].replace("Inf", "Infinity"));
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            sum = (sum == null ? 0 : sum) + v;
        }
        return sum;
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
