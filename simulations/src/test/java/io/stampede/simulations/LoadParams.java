package io.stampede.simulations;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulation's parameters, read from system properties ({@code -Drps=200 ...}) because that is
 * the only channel {@code gatling:test} and a forked {@code io.gatling.app.Gatling} both pass on.
 *
 * @param rps          asked arrival rate (requests per second, open model)
 * @param durationS    steady phase length after the ramp
 * @param rampS        linear ramp from 1 rps to {@code rps} before the steady phase (0 = none)
 * @param payloadSize  body size in bytes (valid signal JSON padded with a "pad" field)
 * @param targetUrl    the gateway webhook
 * @param p95Ms        assertion: global p95 response time below this
 * @param maxFailedPct assertion: failed requests below this percentage
 * @param runDir       where the simulation writes its own figures (hlog, counters, summary)
 * @param experimentId the chaos API's experiment id ({@code experiment_id}, or the older
 *                     {@code stampede.experiment_id}), or null: when set, every request carries
 *                     {@code Stampede-Experiment: <id>} and its body id is {@code <id>-<10-digit seq>}
 * @param system       a system file ({@code -Dsystem=FILE}, docs/system-file.md): its {@code http}
 *                     section gives the method, headers, body, id place and accepted statuses, and
 *                     its {@code http.url} the default target; null: the demo's signal webhook
 */
public record LoadParams(double rps, int durationS, int rampS, int payloadSize, String targetUrl,
                         int p95Ms, double maxFailedPct, Path runDir, String experimentId,
                         io.stampede.system.SystemFile system) {

    public static LoadParams fromSystemProperties() {
        String file = prop("system", "");
        io.stampede.system.SystemFile system = file.isEmpty() ? null : Requests.load(Path.of(file));
        LoadParams p = new LoadParams(
                Double.parseDouble(prop("rps", "50")),
                Integer.parseInt(prop("duration_s", "30")),
                Integer.parseInt(prop("ramp_s", "0")),
                Integer.parseInt(prop("payload_size", "512")),
                prop("target_url", system != null ? system.http().url().toString() : "http://127.0.0.1:8001/webhook"),
                Integer.parseInt(prop("p95_ms", "1000")),
                Double.parseDouble(prop("max_failed_pct", "5")),
                Path.of(prop("run_dir", "target/stampede-run")),
                experimentIdProperty(),
                system);
        List<String> problems = p.validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid simulation parameters: " + String.join("; ", problems));
        }
        return p;
    }

    /** {@code experiment_id}, else {@code stampede.experiment_id}, else null. */
    static String experimentIdProperty() {
        String id = prop("experiment_id", "");
        if (id.isEmpty()) {
            id = prop("stampede.experiment_id", "");
        }
        return id.isEmpty() ? null : id;
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (!(rps > 0)) {
            problems.add("rps must be > 0");
        }
        if (durationS < 1) {
            problems.add("duration_s must be >= 1");
        }
        if (rampS < 0) {
            problems.add("ramp_s must be >= 0");
        }
        if (payloadSize < 0 || payloadSize > 1_048_576) {
            problems.add("payload_size must be in [0, 1048576]");
        }
        if (!targetUrl.startsWith("http://") && !targetUrl.startsWith("https://")) {
            problems.add("target_url must be an http(s) URL");
        }
        if (experimentId != null && !experimentId.matches("[A-Za-z0-9][A-Za-z0-9_.:=-]{0,100}")) {
            problems.add("experiment_id must match [A-Za-z0-9][A-Za-z0-9_.:=-]{0,100} (it prefixes the body ids)");
        }
        return problems;
    }

    private static String prop(String key, String def) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? def : v.trim();
    }
}
