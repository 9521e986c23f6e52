package io.stampede.chaos.servicefailure;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A Docker container, by name or id (a compose service's container name, e.g.
 * {@code stampede-gateway-1}).
 */
public record ContainerTarget(String name, String container, URI healthUrl) implements TargetConfig {

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
        problems.addAll(HealthUrls.validate(healthUrl));
        return problems;
    }
}
