package io.stampede.chaos.experiment;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the server allows, from configuration.
 *
 * @param services          configured service targets (service_failure)
 * @param loadTargets       the only URLs load_test may target (the gateway webhook by default)
 * @param defaultTargetUrl  the gateway webhook (load_test default)
 * @param maxRps            load_test ceiling
 * @param baselineRate      the loadgen baseline rate (msg/s) that backpressure multiplies
 * @param maxMessageRate    cap on baseline × active multipliers
 * @param minMessageRate    floor on baseline × active multipliers (below it a pacer would be paused, not slow)
 * @param maxActive         scheduled + running experiments at once
 * @param maxLoadTests      load_test experiments running at once
 */
public record Limits(Set<String> services, List<String> loadTargets, String defaultTargetUrl,
                     double maxRps, double baselineRate, double maxMessageRate, double minMessageRate,
                     int maxActive, int maxLoadTests) {
    public Limits {
        services = Set.copyOf(services);
        loadTargets = List.copyOf(loadTargets);
    }

    /** Whether {@code url} is one of the configured load targets (loopback names are one host). */
    public boolean isLoadTarget(URI url) {
        String key = key(url);
        return key != null && loadTargets.stream().map(s -> key(URI.create(s))).anyMatch(key::equals);
    }

    private static String key(URI u) {
        if (u.getScheme() == null || u.getHost() == null) {
            return null;
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost().toLowerCase(Locale.ROOT);
        if (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1")) {
            host = "loopback";
        }
        int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        return scheme + "://" + host + ":" + port + path;
    }
}
