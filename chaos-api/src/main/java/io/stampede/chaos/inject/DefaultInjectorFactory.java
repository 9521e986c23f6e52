package io.stampede.chaos.inject;

import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.loadtest.LoadTestInjector;
import io.stampede.chaos.loadtest.SimulationLauncher;
import io.stampede.chaos.proxy.NatsLatencyInjector;
import io.stampede.chaos.servicefailure.DockerEngine;
import io.stampede.chaos.servicefailure.ServiceFailureInjector;
import io.stampede.chaos.traffic.BackpressureInjector;
import io.stampede.chaos.traffic.BaselineTraffic;
import io.stampede.chaos.traffic.DuplicateMessagesInjector;
import java.util.ArrayList;
import java.util.List;

/**
 * The production injectors, one per experiment type:
 * {@code nats_latency} → the latency proxy's admin API; {@code service_failure} → the configured
 * targets (processes, Docker containers); {@code load_test} → a Gatling child JVM;
 * {@code backpressure} and {@code duplicate_messages} → the baseline traffic (started here when
 * STAMPEDE_BASELINE=on; otherwise those two answer 409 saying how to switch it on).
 */
public final class DefaultInjectorFactory implements InjectorFactory {
    @Override
    public String name() {
        return "default";
    }

    @Override
    public List<FaultInjector<?>> create(ChaosConfig config) {
        List<FaultInjector<?>> out = new ArrayList<>();
        out.add(new NatsLatencyInjector(config.proxyAdminUrl()));
        out.add(new ServiceFailureInjector(config.serviceTargets(), DockerEngine.fromEnv(System.getenv())));
        out.add(new LoadTestInjector(SimulationLauncher.forTarget(config.home().resolve("simulations").resolve("target"))));
        BaselineTraffic traffic = config.baseline() ? BaselineTraffic.start(config) : null;
        out.add(new BackpressureInjector(traffic));
        out.add(new DuplicateMessagesInjector(traffic));
        return out;
    }
}
