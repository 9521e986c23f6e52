package io.stampede.chaos.http;

import static io.stampede.chaos.http.Replies.error;
import static io.stampede.chaos.http.Replies.fail;
import static io.stampede.chaos.http.Replies.json;

import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.lifecycle.Experiment;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@code /plans/{id}}: a plan's steps (each as GET /experiments/{id} shows it) and its roll-up verdict. */
final class PlansHandler {
    private final Vertx vertx;
    private final ChaosConfig cfg;
    private final ExperimentManager manager;
    private final ExperimentsHandler experiments;

    PlansHandler(Vertx vertx, ChaosConfig cfg, ExperimentManager manager, ExperimentsHandler experiments) {
        this.vertx = vertx;
        this.cfg = cfg;
        this.manager = manager;
        this.experiments = experiments;
    }

    void getPlan(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        List<Experiment> steps = manager.plan(id);
        if (steps.isEmpty()) {
            error(ctx, 404, "not_found", "no plan " + id, List.of(new Problem("id", "unknown")));
            return;
        }
        // the verdicts read run directories and counters: off the event loop
        vertx.executeBlocking(() -> planJson(id, steps), false)
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(t -> fail(ctx, t));
    }

    private JsonObject planJson(String id, List<Experiment> steps) {
        JsonArray list = new JsonArray();
        steps.forEach(e -> list.add(experiments.withVerdict(e, e.toJson(null))));
        JsonObject body = new JsonObject().put("plan_id", id).put("run_dir", cfg.runsDir().resolve(id).toString())
                .put("status", steps.stream().allMatch(e -> e.state().isFinal()) ? "finished" : "active")
                .put("experiments", list);
        return body.put("verdict", new JsonObject(manager.planVerdict(id, steps).toMap()));
    }

    void stopPlan(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        List<Experiment> steps = manager.plan(id);
        if (steps.isEmpty()) {
            error(ctx, 404, "not_found", "no plan " + id, List.of(new Problem("id", "unknown")));
            return;
        }
        List<CompletableFuture<Experiment>> ends = steps.stream()
                .map(e -> manager.endAsync(e, ExperimentState.STOPPED, "plan stopped by DELETE")).toList();
        Future.fromCompletionStage(CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)),
                        vertx.getOrCreateContext())
                .compose(v -> vertx.executeBlocking(() -> planJson(id, steps), false))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(t -> fail(ctx, t));
    }
}
