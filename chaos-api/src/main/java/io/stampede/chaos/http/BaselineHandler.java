package io.stampede.chaos.http;

import static io.stampede.chaos.http.Replies.error;
import static io.stampede.chaos.http.Replies.fail;
import static io.stampede.chaos.http.Replies.json;

import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.traffic.BaselineTraffic;
import io.stampede.reports.Verdict;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** {@code /baseline}: the baseline traffic's run, when this server runs one. */
final class BaselineHandler {
    private final Vertx vertx;
    private final BaselineTraffic baselineTraffic;

    /** @param baselineTraffic the baseline traffic whose verdict GET /baseline shows (null: none) */
    BaselineHandler(Vertx vertx, BaselineTraffic baselineTraffic) {
        this.vertx = vertx;
        this.baselineTraffic = baselineTraffic;
    }

    /** The baseline traffic's run: its directory, rates and its own verdict over everything it sent. */
    void baseline(RoutingContext ctx) {
        BaselineTraffic b = baselineTraffic;
        if (b == null) {
            error(ctx, 404, "not_found", "no baseline traffic on this server (STAMPEDE_BASELINE=on starts it)",
                    List.of(new Problem("baseline", "off")));
            return;
        }
        vertx.executeBlocking(() -> {
            JsonObject body = new JsonObject().put("run_dir", b.runDir().toString()).put("baseline_rate", b.baselineRate());
            Verdict v = b.verdict();
            body.put("status", v == null ? "connecting" : "running");
            if (v != null) {
                body.put("verdict", new JsonObject(v.toMap()));
            }
            return body;
        }, false).onSuccess(body -> json(ctx, 200, body)).onFailure(t -> fail(ctx, t));
    }
}
