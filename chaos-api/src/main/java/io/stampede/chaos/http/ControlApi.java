package io.stampede.chaos.http;

import static io.stampede.chaos.http.Replies.error;
import static io.stampede.chaos.http.RouteTable.Route.delete;
import static io.stampede.chaos.http.RouteTable.Route.get;
import static io.stampede.chaos.http.RouteTable.Route.post;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.TargetHealth;
import io.stampede.chaos.experiment.SpecCodec;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.stampede.chaos.traffic.BaselineTraffic;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API's HTTP surface: the {@link Guard} in front, then one handler per resource, every
 * route declared once, in {@link #ControlApi the route table below}.
 * Handlers never block: lifecycle calls (journal fsync, injectors) run in executeBlocking.
 *
 * <pre>
 *   request ─▶ Guard: Host/Origin (403) ─▶ RequestTimer ─▶ body ≤ 64 KiB (413)
 *           ─▶ RouteTable route ─▶ [token (401) on POST/DELETE] ─▶ resource handler
 *           (no route: 404 / 405; a handler's failure: 500; all as JSON errors)
 * </pre>
 */
public final class ControlApi {
    private static final Logger log = LoggerFactory.getLogger(ControlApi.class);

    private final Vertx vertx;
    private final RouteTable routes;
    private final Guard guard;

    /**
     * @param baseline  the baseline traffic GET /baseline shows (null: none)
     * @param startedAt when the server started, as /healthz reports it
     */
    public ControlApi(Vertx vertx, ChaosConfig cfg, PrometheusMeterRegistry registry, ExperimentManager manager,
                      TargetHealth health, BaselineTraffic baseline, Instant startedAt) {
        this.vertx = vertx;
        HealthHandler server = new HealthHandler(cfg, registry, manager, health, startedAt);
        ExperimentsHandler experiments = new ExperimentsHandler(vertx, manager, new ExperimentRequests(new SpecCodec(cfg.limits())));
        PlansHandler plans = new PlansHandler(vertx, cfg, manager, experiments);
        ReportsHandler reports = new ReportsHandler(vertx, cfg, manager);
        BaselineHandler baselineView = new BaselineHandler(vertx, baseline);
        this.routes = new RouteTable(List.of(
                get("/healthz", server::healthz),
                get("/metrics", server::metrics),
                get("/openapi.yaml", server::openApi),
                get("/system", server::system),
                get("/templates", experiments::templates),
                post("/experiments", experiments::create),
                get("/experiments", experiments::list),
                delete("/experiments", experiments::stopAll),
                get("/experiments/{id}", experiments::getOne),
                delete("/experiments/{id}", experiments::stopOne),
                get("/experiments/{id}/report", reports::experimentReport),
                get("/plans/{id}/report", reports::planReport),
                get("/baseline", baselineView::baseline),
                get("/plans/{id}", plans::getPlan),
                delete("/plans/{id}", plans::stopPlan),
                get("/runs/*", reports.runs())));
        this.guard = new Guard(cfg, new RequestTimer(registry, routes));
    }

    /** The router: the guard in front of every request, then the routes, then JSON for 404, 405 and 500. */
    public Router router() {
        Router router = Router.router(vertx);
        router.route().order(-1).handler(guard);
        routes.mount(router, guard);
        router.errorHandler(404, ctx -> error(ctx, 404, "not_found", "no route " + ctx.request().method() + " " + ctx.request().path(), List.of()));
        router.errorHandler(405, ctx -> error(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed on " + ctx.request().path(), List.of()));
        router.errorHandler(500, ctx -> {
            log.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
            error(ctx, 500, "internal", "unexpected server error", List.of());
        });
        return router;
    }

    /** For the HTTP server: what Vert.x could not decode (URL or headers too long) answered as the same JSON errors. */
    public static Handler<HttpServerRequest> invalidRequestHandler() {
        return Guard::invalidRequest;
    }

    /** Every route's path, as declared (and as the request timer tags it). */
    public Set<String> routes() {
        return routes.paths();
    }
}
