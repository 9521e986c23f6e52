package io.stampede.chaos.http;

import static io.stampede.chaos.http.Replies.json;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.TargetHealth;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;

/** The server itself: {@code /healthz}, {@code /metrics}, {@code /system} and the {@code /openapi.yaml} that documents it. */
final class HealthHandler {
    private final ChaosConfig cfg;
    private final PrometheusMeterRegistry registry;
    private final ExperimentManager manager;
    private final TargetHealth health;
    private final Instant startedAt;
    private final byte[] openApi = resource("/openapi.yaml");
    /** Fixed for the server's life: the configuration is read once. */
    private final JsonObject systemView;
    private final JsonObject systemSummary;

    HealthHandler(ChaosConfig cfg, PrometheusMeterRegistry registry, ExperimentManager manager, TargetHealth health, Instant startedAt) {
        this.cfg = cfg;
        this.registry = registry;
        this.manager = manager;
        this.health = health;
        this.startedAt = startedAt;
        this.systemView = new JsonObject(cfg.sut().view(cfg));
        this.systemSummary = new JsonObject()
                .put("name", systemView.getString("name"))
                .put("source", systemView.getString("source"))
                .put("targets", new JsonArray(new java.util.ArrayList<>(cfg.serviceTargets().targets().keySet())))
                .put("scrape", new JsonArray(cfg.sutMetrics().stream().map(r -> r.url().toString()).distinct().toList()));
    }

    private static byte[] resource(String name) {
        try (InputStream in = HealthHandler.class.getResourceAsStream(name)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    void healthz(RoutingContext ctx) {
        JsonArray pending = manager.pendingReverts();
        JsonObject journal = manager.journalHealth();
        health.current().onComplete(ar -> json(ctx, 200, new JsonObject()
                .put("status", pending.isEmpty() && journal.getLong("write_failures", 0L) == 0 ? "ok" : "degraded")
                .put("service", "chaos-api")
                .put("started_at", startedAt.toString())
                .put("uptime_s", Duration.between(startedAt, Instant.now()).toSeconds())
                .put("active_experiments", manager.active().size())
                .put("pending_reverts", pending)
                .put("journal", journal)
                .put("time_scale", cfg.timeScale())
                .put("system", systemSummary)
                .put("targets", ar.succeeded() ? ar.result() : new JsonObject())));
    }

    /** GET /system: the system file as the chaos API uses it (secrets masked). */
    void system(RoutingContext ctx) {
        json(ctx, 200, systemView);
    }

    /**
     * Rendered on a worker: a scrape of ~600 series took 8-70 ms under a x50 backpressure, and on the
     * event loop every Prometheus scrape (each 5 s) held the GETs queued behind it.
     */
    void metrics(RoutingContext ctx) {
        ctx.vertx().executeBlocking(registry::scrape, false)
                .onSuccess(text -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text))
                .onFailure(t -> Replies.fail(ctx, t));
    }

    void openApi(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "application/yaml").end(Buffer.buffer(openApi));
    }
}
