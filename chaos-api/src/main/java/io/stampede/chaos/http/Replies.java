package io.stampede.chaos.http;

import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.lifecycle.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How every handler answers: a JSON body, or the JSON error {@code {error, message, details[]}}. */
final class Replies {
    private static final Logger log = LoggerFactory.getLogger(Replies.class);

    private Replies() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    static void error(RoutingContext ctx, int status, String code, String message, List<Problem> details) {
        JsonArray d = new JsonArray();
        details.forEach(p -> d.add(new JsonObject().put("field", p.field()).put("problem", p.problem())));
        json(ctx, status, new JsonObject().put("error", code).put("message", message).put("details", d));
    }

    /** An {@link ApiException} as its own status and code; anything else as a 500. */
    static void fail(RoutingContext ctx, Throwable t) {
        if (t instanceof ApiException a) {
            error(ctx, a.status(), a.code(), a.getMessage(), a.details());
        } else {
            log.error("request failed", t);
            error(ctx, 500, "internal", "unexpected server error: " + t.getMessage(), List.of());
        }
    }

    static void notFound(RoutingContext ctx, String id) {
        error(ctx, 404, "not_found", "no experiment " + id, List.of(new Problem("id", "unknown")));
    }
}
