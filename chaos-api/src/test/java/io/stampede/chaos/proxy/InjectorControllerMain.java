package io.stampede.chaos.proxy;

import io.stampede.chaos.experiment.NatsLatency;
import io.stampede.chaos.inject.ExperimentContext;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.file.Path;

/**
 * Stands in for the chaos API in a child JVM: applies a nats_latency fault through the injector,
 * prints the revert token, then waits to be killed. Args: adminUrl experimentId delayMs.
 */
public final class InjectorControllerMain {
    private InjectorControllerMain() {}

    public static void main(String[] args) throws Exception {
        NatsLatencyInjector injector = new NatsLatencyInjector(URI.create(args[0]));
        ExperimentContext ctx = new ExperimentContext(args[1], Path.of("target"), 1.0);
        JsonObject token = injector.apply(ctx,
                new NatsLatency(Integer.parseInt(args[2]), 600, 0, NatsLatency.Direction.TO_SERVER));
        System.out.println("TOKEN " + token.encode());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
