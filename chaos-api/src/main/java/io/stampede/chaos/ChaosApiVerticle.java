package io.stampede.chaos;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control API's HTTP surface. Routes are declared here, in one place. */
public final class ChaosApiVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ChaosApiVerticle.class);
    private static final Set<String> ROUTES = Set.of("/healthz", "/metrics");

    private final ChaosConfig cfg;
    private final PrometheusMeterRegistry registry;
    private final Instant startedAt = Instant.now();
    private TargetHealth health;
    private HttpServer server;

    public ChaosApiVerticle(ChaosConfig cfg, PrometheusMeterRegistry registry) {
        this.cfg = cfg;
        this.registry = registry;
    }

    @Override
    public Future<?> start() {
        health = new TargetHealth(vertx, cfg, registry);
        Router router = Router.router(vertx);
        router.route().order(-1).handler(this::timeRequest);
        router.get("/healthz").handler(this::healthz);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
        router.route().last().handler(ctx -> json(ctx, 404, new JsonObject()
                .put("error", "not_found")
                .put("message", "no route " + ctx.request().method() + " " + ctx.normalizedPath())
                .put("details", new io.vertx.core.json.JsonArray())));
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(cfg.port(), cfg.host())
                .onSuccess(s -> {
                    server = s;
                    log.info("chaos API listening on {}:{}", cfg.host(), s.actualPort());
                });
    }

    public int actualPort() {
        return server.actualPort();
    }

    private void healthz(RoutingContext ctx) {
        health.probeAll().onComplete(ar -> json(ctx, 200, new JsonObject()
                .put("status", "ok")
                .put("service", "chaos-api")
                .put("started_at", startedAt.toString())
                .put("uptime_s", Duration.between(startedAt, Instant.now()).toSeconds())
                .put("targets", ar.succeeded() ? ar.result() : new JsonObject())));
    }

    private void timeRequest(RoutingContext ctx) {
        long start = System.nanoTime();
        String path = ROUTES.contains(ctx.normalizedPath()) ? ctx.normalizedPath() : "other";
        ctx.addBodyEndHandler(v -> Timer.builder("stampede.api.request.duration")
                .description("Control API request duration")
                .tag("method", ctx.request().method().name())
                .tag("route", path)
                .tag("status", Integer.toString(ctx.response().getStatusCode()))
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        ctx.next();
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
