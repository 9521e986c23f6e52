package io.stampede.chaos.inject;

import io.stampede.chaos.experiment.ExperimentSpec;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The injectors this server has, by experiment type. A type without one answers 501. */
public final class Injectors implements AutoCloseable {
    private final Map<Class<?>, FaultInjector<?>> byType = new LinkedHashMap<>();

    public Injectors(Collection<? extends FaultInjector<?>> injectors) {
        for (FaultInjector<?> i : injectors) {
            if (byType.put(i.specType(), i) != null) {
                throw new IllegalArgumentException("two injectors for " + i.specType().getSimpleName());
            }
        }
    }

    public static Injectors of(FaultInjector<?>... injectors) {
        return new Injectors(List.of(injectors));
    }

    @SuppressWarnings("unchecked")
    public <S extends ExperimentSpec> FaultInjector<S> forSpec(S spec) {
        return (FaultInjector<S>) byType.get(spec.getClass());
    }

    /** The injector of this class, if this server has one. */
    public <T> java.util.Optional<T> find(Class<T> cls) {
        return byType.values().stream().filter(cls::isInstance).map(cls::cast).findFirst();
    }

    public boolean supports(ExperimentSpec spec) {
        return byType.containsKey(spec.getClass());
    }

    @Override
    public void close() {
        byType.values().forEach(FaultInjector::close);
    }
}
