package io.stampede.chaos.servicefailure;

import java.net.URI;
import java.util.List;

/**
 * A service that {@code service_failure} may touch. Targets are configured, never guessed: only a
 * configured name can be crashed or frozen.
 */
public sealed interface TargetConfig permits ContainerTarget, ProcessTarget {

    /** The name experiments use in {@code service}, e.g. {@code gateway}. */
    String name();

    /**
     * GET answering 200 when the target is healthy; null (optional) when recovery is not measured
     * and a crash revert is done once the target runs again.
     */
    URI healthUrl();

    /** How long a crash revert waits for the target to be back; 0 = the injector's default. */
    long healthTimeoutMs();

    /** Every problem of this entry, each prefixed with the field it concerns; empty when valid. */
    List<String> validate();
}
