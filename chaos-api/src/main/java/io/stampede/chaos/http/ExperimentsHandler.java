package io.stampede.chaos.http;

import static io.stampede.chaos.http.Replies.error;
import static io.stampede.chaos.http.Replies.fail;
import static io.stampede.chaos.http.Replies.json;
import static io.stampede.chaos.http.Replies.notFound;

import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.experiment.Templates;
import io.stampede.chaos.lifecycle.ApiException;
import io.stampede.chaos.lifecycle.Experiment;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /experiments}, {@code /experiments/{id}} and the {@code /templates} a POST may name. */
final class ExperimentsHandler {
    private static final Logger log = LoggerFactory.getLogger(ExperimentsHandler.class);

    private final Vertx vertx;
    private final ExperimentManager manager;
    private final ExperimentRequests requests;

    ExperimentsHandler(Vertx vertx, ExperimentManager manager, ExperimentRequests requests) {
        this.vertx = vertx;
        this.manager = manager;
        this.requests = requests;
    }

    void templates(RoutingContext ctx) {
        JsonArray all = new JsonArray();
        Templates.all().forEach(t -> all.add(t.json()));
        json(ctx, 200, new JsonObject().put("templates", all));
    }

    void create(RoutingContext ctx) {
        Buffer raw = Guard.body(ctx);
        Object decoded;
        try {
            if (raw == null || raw.length() == 0) {
                throw new ApiException(400, "bad_request", "request body is empty; send a JSON object",
                        List.of(new Problem("body", "required")));
            }
            try {
                decoded = Json.decodeValue(raw);
            } catch (RuntimeException e) {
                throw new ApiException(400, "bad_json", "request body is not valid JSON",
                        List.of(new Problem("body", "not valid JSON")));
            }
            if (!(decoded instanceof JsonObject body)) {
                throw new ApiException(400, "bad_request", "request body must be a JSON object",
                        List.of(new Problem("body", "must be a JSON object")));
            }
            ExperimentRequests.Request request = requests.interpret(body);
            vertx.executeBlocking(() -> manager.create(request.items(), request.plan()), false)
                    .onSuccess(created -> {
                        if (request.plan()) {
                            JsonArray list = new JsonArray();
                            created.forEach(e -> list.add(e.toJson(null)));
                            json(ctx, 201, new JsonObject().put("plan_id", created.get(0).planId()).put("experiments", list));
                        } else {
                            json(ctx, 201, created.get(0).toJson(null));
                        }
                    })
                    .onFailure(t -> fail(ctx, t));
        } catch (ApiException e) {
            fail(ctx, e);
        } catch (RuntimeException e) {
            // parsing must never turn bad input into a 5xx
            log.warn("unparseable experiment body: {}", e.toString());
            error(ctx, 400, "bad_request", "request could not be interpreted: " + e.getMessage(), List.of(new Problem("body", "invalid")));
        }
    }

    void list(RoutingContext ctx) {
        String status = ctx.request().getParam("status");
        ExperimentState filter = null;
        if (status != null) {
            try {
                filter = ExperimentState.parse(status);
            } catch (IllegalArgumentException e) {
                error(ctx, 400, "validation_failed", "unknown status '" + status + "'",
                        List.of(new Problem("status", "one of scheduled, running, completed, stopped, failed, aborted")));
                return;
            }
        }
        JsonArray out = new JsonArray();
        for (Experiment e : manager.list()) {
            if (filter == null || e.state() == filter) {
                out.add(e.toJson(null));
            }
        }
        json(ctx, 200, new JsonObject().put("experiments", out));
    }

    void getOne(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        manager.get(id).ifPresentOrElse(e -> {
            // the state before the figures: "applied" is never shown beside figures taken while applying
            Experiment.View seen = e.view();
            Future.fromCompletionStage(manager.statsAsync(e), vertx.getOrCreateContext())
                    .onComplete(ar -> json(ctx, 200, withVerdict(e, e.toJson(seen, ar.succeeded() ? ar.result().json() : new JsonObject()))));
        }, () -> notFound(ctx, id));
    }

    void stopOne(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        manager.get(id).ifPresentOrElse(
                e -> Future.fromCompletionStage(manager.endAsync(e, ExperimentState.STOPPED, "stopped by DELETE"), vertx.getOrCreateContext())
                        .compose(done -> Future.fromCompletionStage(manager.statsAsync(done), vertx.getOrCreateContext())
                                .map(stats -> withVerdict(done, done.toJson(stats.json()))))
                        .onSuccess(body -> json(ctx, 200, body))
                        .onFailure(t -> fail(ctx, t)),
                () -> notFound(ctx, id));
    }

    void stopAll(RoutingContext ctx) {
        Future.fromCompletionStage(manager.stopAllAsync(ExperimentState.STOPPED, "stopped by DELETE /experiments",
                        Duration.ofSeconds(60)), vertx.getOrCreateContext())
                .onSuccess(stopped -> {
                    JsonArray list = new JsonArray();
                    stopped.forEach(e -> list.add(e.toJson(null)));
                    json(ctx, 200, new JsonObject().put("stopped", stopped.size()).put("experiments", list));
                })
                .onFailure(t -> fail(ctx, t));
    }

    /**
     * An experiment's view with its verdict as last published (never waits: see Verdicts) and its
     * baseline window (as GET shows it; a plan's steps too).
     */
    JsonObject withVerdict(Experiment e, JsonObject body) {
        JsonObject v;
        try {
            v = new JsonObject(manager.verdict(e).toMap());
        } catch (RuntimeException failure) {
            // a verdict that cannot be computed must not cost the answer
            log.warn("verdict of {} not available: {}", e.id(), failure.toString());
            v = new JsonObject().put("status", "inconclusive").put("final", false).put("error", String.valueOf(failure));
        }
        body.put("verdict", v);
        JsonObject w = manager.verdictWindow(e);
        if (w != null) {
            body.put("baseline_window", w);
        }
        return body;
    }
}
