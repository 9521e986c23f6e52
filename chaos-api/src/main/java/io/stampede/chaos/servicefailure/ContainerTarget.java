package io.stampede.chaos.servicefailure;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A Docker container, by name or id (a compose service's container name, e.g.
 * {@code stampede-gateway-1}).
 *
 * @param healthTimeoutMs how long a crash revert waits for the container to run again; 0 = the injector's default
 */
public record ContainerTarget(String name, String container, URI healthUrl, long healthTimeoutMs)
        implements TargetConfig {

    /** Default timeout. */
    public ContainerTarget(String name, String container, URI healthUrl) {
        this(name, container, healthUrl, 0);
    }

    @Override
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("name: required");
        }
        if (container == null || container.isBlank()) {
            problems.add("container: required (container name or id)");
        } else if (!container.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            problems.add("container: not a valid container name or id: " + container);
        }
        if (healthTimeoutMs < 0) {
            problems.add("health_timeout_s: must be >= 0");
        }
        problems.addAll(HealthUrls.validate(healthUrl));
        return problems;
    }
}
