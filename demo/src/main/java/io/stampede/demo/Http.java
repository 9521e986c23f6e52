package io.stampede.demo;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;

/** Small HTTP conventions shared by the gateway and the agent. */
public final class Http {
    private Http() {}

    public static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }

    public static JsonObject error(String code, String message, JsonArray details) {
        return new JsonObject().put("error", code).put("message", message).put("details", details);
    }

    public static JsonObject problem(String field, String problem) {
        return new JsonObject().put("field", field).put("problem", problem);
    }

    /** GET /metrics in Prometheus text format. */
    public static void mountMetrics(Router router, PrometheusMeterRegistry registry) {
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
    }

    /**
     * Records every request in {@code <prefix>.request.duration} (a Prometheus histogram) tagged
     * by method, known route and status; unknown paths share one tag so scans cannot blow up
     * the series count.
     */
    public static void mountRequestTimer(Router router, PrometheusMeterRegistry registry, String prefix, Set<String> routes) {
        router.route().order(-1).handler(ctx -> {
            long start = System.nanoTime();
            String path = routes.contains(ctx.normalizedPath()) ? ctx.normalizedPath() : "other";
            ctx.addBodyEndHandler(v -> Timer.builder(prefix + ".request.duration")
                    .description("HTTP request duration")
                    .tag("method", ctx.request().method().name())
                    .tag("route", path)
                    .tag("status", Integer.toString(ctx.response().getStatusCode()))
                    .publishPercentileHistogram()
                    .maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS));
            ctx.next();
        });
    }
}
