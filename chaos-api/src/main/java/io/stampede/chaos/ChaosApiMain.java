package io.stampede.chaos;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The control API process: {@code java -jar chaos-api/target/chaos-api.jar}. */
public final class ChaosApiMain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChaosApiMain.class);

    private final Vertx vertx;
    private final ChaosApiVerticle verticle;

    private ChaosApiMain(Vertx vertx, ChaosApiVerticle verticle) {
        this.vertx = vertx;
        this.verticle = verticle;
    }

    public static Future<ChaosApiMain> start(ChaosConfig cfg) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        Vertx vertx = Vertx.vertx();
        ChaosApiVerticle verticle = new ChaosApiVerticle(cfg, registry);
        return vertx.deployVerticle(verticle)
                .map(id -> new ChaosApiMain(vertx, verticle))
                .onFailure(e -> vertx.close());
    }

    public int port() {
        return verticle.actualPort();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("vert.x close: {}", e.toString());
        }
    }

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        ChaosApiMain api;
        try {
            api = start(ChaosConfig.fromEnv(System.getenv())).toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException e) {
            log.error("chaos API failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("chaos API stopping");
            api.close();
        }, "chaos-api-shutdown"));
    }
}
