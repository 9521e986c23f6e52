package io.stampede.chaos.inject;

import io.stampede.chaos.ChaosConfig;
import java.util.List;

/**
 * Builds a set of injectors; found with {@link java.util.ServiceLoader} and chosen by name with
 * {@code STAMPEDE_INJECTORS} (tests plug in a recording injector this way, also into a child JVM).
 */
public interface InjectorFactory {
    String name();

    List<FaultInjector<?>> create(ChaosConfig config);
}
