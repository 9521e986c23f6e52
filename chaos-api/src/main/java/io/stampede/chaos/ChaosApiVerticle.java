package io.stampede.chaos;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stampede.chaos.http.ControlApi;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.stampede.chaos.traffic.BaselineTraffic;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the control API ({@link ControlApi}: the guard, the route table, one handler per resource). */
public final class ChaosApiVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ChaosApiVerticle.class);

    private final ChaosConfig cfg;
    private final PrometheusMeterRegistry registry;
    private final ExperimentManager manager;
    private final Instant startedAt = Instant.now();
    private final TargetHealth health;
    private HttpServer server;
    private volatile BaselineTraffic baselineTraffic;

    /** The baseline traffic whose verdict GET /baseline shows (null: none); set before deploying. */
    public void baseline(BaselineTraffic b) {
        this.baselineTraffic = b;
    }

    public ChaosApiVerticle(ChaosConfig cfg, PrometheusMeterRegistry registry, ExperimentManager manager, TargetHealth health) {
        this.cfg = cfg;
        this.health = health;
        this.registry = registry;
        this.manager = manager;
    }

    @Override
    public Future<?> start() {
        ControlApi api = new ControlApi(vertx, cfg, registry, manager, health, baselineTraffic, startedAt);
        return vertx.createHttpServer()
                .invalidRequestHandler(ControlApi.invalidRequestHandler())
                .requestHandler(api.router())
                .listen(cfg.port(), cfg.host())
                .onSuccess(s -> {
                    server = s;
                    log.info("chaos API listening on {}:{}", cfg.host(), s.actualPort());
                });
    }

    public int actualPort() {
        return server.actualPort();
    }
}
