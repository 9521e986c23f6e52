package io.stampede.chaos.experiment;

import java.util.Set;

/**
 * What the server allows, from configuration.
 *
 * @param services          configured service targets (service_failure)
 * @param allowedHosts      hosts load_test may target (the configured targets' hosts)
 * @param defaultTargetUrl  the gateway webhook (load_test default)
 * @param maxRps            load_test ceiling
 * @param baselineRate      the loadgen baseline rate (msg/s) that backpressure multiplies
 * @param maxMessageRate    cap on baseline × active multipliers
 */
public record Limits(Set<String> services, Set<String> allowedHosts, String defaultTargetUrl,
                     double maxRps, double baselineRate, double maxMessageRate) {
    public Limits {
        services = Set.copyOf(services);
        allowedHosts = Set.copyOf(allowedHosts);
    }
}
