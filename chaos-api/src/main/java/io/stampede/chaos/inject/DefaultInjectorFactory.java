package io.stampede.chaos.inject;

import io.stampede.chaos.ChaosConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The production injectors. A type missing here answers 501 until its injector is built.
 */
public final class DefaultInjectorFactory implements InjectorFactory {
    @Override
    public String name() {
        return "default";
    }

    @Override
    public List<FaultInjector<?>> create(ChaosConfig config) {
        return new ArrayList<>();
    }
}
