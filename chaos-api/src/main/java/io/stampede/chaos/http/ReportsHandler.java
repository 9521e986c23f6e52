package io.stampede.chaos.http;

import static io.stampede.chaos.http.Replies.error;
import static io.stampede.chaos.http.Replies.fail;
import static io.stampede.chaos.http.Replies.notFound;

import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.lifecycle.Experiment;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.stampede.reports.html.HtmlReport;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/** What a run leaves behind: the HTML report of an experiment or a plan, and {@code /runs/*}, the run directories. */
final class ReportsHandler {
    private final Vertx vertx;
    private final ChaosConfig cfg;
    private final ExperimentManager manager;

    ReportsHandler(Vertx vertx, ChaosConfig cfg, ExperimentManager manager) {
        this.vertx = vertx;
        this.cfg = cfg;
        this.manager = manager;
    }

    /** Run directories (Gatling reports, hlog files, timelines), read-only; Vert.x refuses '..'. */
    Handler<RoutingContext> runs() {
        return StaticHandler.create(FileSystemAccess.ROOT, cfg.runsDir().toString())
                .setCachingEnabled(false).setDirectoryListing(true).setAlwaysAsyncFS(true);
    }

    /** The self-contained HTML report, at any time: provisional while the verdict is pending. */
    void experimentReport(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        manager.get(id).ifPresentOrElse(e -> report(ctx, e.runDir(), () -> !manager.verdict(e).isFinal()),
                () -> notFound(ctx, id));
    }

    void planReport(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        List<Experiment> steps = manager.plan(id);
        if (steps.isEmpty()) {
            error(ctx, 404, "not_found", "no plan " + id, List.of(new Problem("id", "unknown")));
            return;
        }
        report(ctx, cfg.runsDir().resolve(id), () -> !manager.planVerdict(id, steps).isFinal());
    }

    private void report(RoutingContext ctx, Path dir, BooleanSupplier provisional) {
        vertx.executeBlocking(() -> {
            // the verdict is brought up to date first, so the page shows what GET would
            boolean p = provisional.getAsBoolean();
            Files.createDirectories(dir);
            return HtmlReport.render(dir, p);
        }, false).onSuccess(html -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html))
                .onFailure(t -> fail(ctx, t));
    }
}
