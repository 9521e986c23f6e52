package io.stampede.chaos.metrics;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * What the chaos API's extra metrics read, from the environment once at start.
 *
 * @param natsMonitorUrl nats-server's monitoring base URL (the system file's {@code nats.monitor_url};
 *                       {@code STAMPEDE_NATS_MONITOR_URL} overrides it); its {@code /varz} and
 *                       {@code /jsz} become {@code nats_*} series. Absent or {@code off}: none.
 * @param period         how often every source is sampled ({@code STAMPEDE_METRICS_PERIOD_MS},
 *                       default 2000); a scrape serves the last round, never waits for one
 */
public record MetricsConfig(URI natsMonitorUrl, Duration period) {
    public static final long DEFAULT_PERIOD_MS = 2_000;

    /** {@code fileMonitorUrl}: the system file's nats.monitor_url, null when it has none. */
    public static MetricsConfig fromEnv(Map<String, String> env, String fileMonitorUrl) {
        String set = env.get("STAMPEDE_NATS_MONITOR_URL");
        String nats = (set != null && !set.isBlank() ? set : fileMonitorUrl == null ? "off" : fileMonitorUrl).trim();
        long period = DEFAULT_PERIOD_MS;
        String p = env.get("STAMPEDE_METRICS_PERIOD_MS");
        if (p != null && !p.isBlank()) {
            try {
                period = Math.max(100, Long.parseLong(p.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("STAMPEDE_METRICS_PERIOD_MS=" + p + " is not a number of milliseconds");
            }
        }
        URI url = nats.isEmpty() || nats.equals("off") ? null : URI.create(nats.endsWith("/") ? nats.substring(0, nats.length() - 1) : nats);
        if (url != null && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("STAMPEDE_NATS_MONITOR_URL=" + nats + " must be an http:// URL (or off)");
        }
        return new MetricsConfig(url, Duration.ofMillis(period));
    }
}
