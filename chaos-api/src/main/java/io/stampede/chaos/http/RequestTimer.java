package io.stampede.chaos.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code stampede.api.request.duration}, tagged by method, route and status; every tag takes a
 * bounded set of values (the route from the {@link RouteTable}, a made-up method as {@code other}).
 */
final class RequestTimer implements Handler<RoutingContext> {
    private final MeterRegistry registry;
    private final RouteTable routes;

    RequestTimer(MeterRegistry registry, RouteTable routes) {
        this.registry = registry;
        this.routes = routes;
    }

    /** Starts the clock; the answer's status is known, and recorded, once its body has been sent. */
    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        String route = routes.tag(ctx.request().path());
        ctx.addBodyEndHandler(v -> Timer.builder("stampede.api.request.duration")
                .description("Control API request duration")
                .tag("method", methodTag(ctx.request().method()))
                .tag("route", route)
                .tag("status", Integer.toString(ctx.response().getStatusCode()))
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    /** Methods a client made up must not each create a timer. */
    private static String methodTag(HttpMethod m) {
        return switch (m.name()) {
            case "GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS" -> m.name();
            default -> "other";
        };
    }
}
