package io.stampede.demo.gateway;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stampede.demo.DemoConfig;
import io.stampede.demo.Logging;
import io.stampede.demo.NatsLink;
import io.stampede.demo.Streams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The demo gateway process: {@code java -jar demo/target/gateway.jar}. */
public final class GatewayMain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayMain.class);

    private final Vertx vertx;
    private final NatsLink nats;
    private final GatewayVerticle verticle;

    private GatewayMain(Vertx vertx, NatsLink nats, GatewayVerticle verticle) {
        this.vertx = vertx;
        this.nats = nats;
        this.verticle = verticle;
    }

    public static Future<GatewayMain> start(DemoConfig cfg) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        NatsLink nats = NatsLink.start(cfg.natsUrl(), "stampede-demo-gateway",
                link -> Streams.ensureSignals(link.connection().jetStreamManagement(), cfg));
        Vertx vertx = Vertx.vertx();
        GatewayVerticle verticle = new GatewayVerticle(cfg, nats, registry);
        return vertx.deployVerticle(verticle)
                .map(id -> new GatewayMain(vertx, nats, verticle))
                .onFailure(e -> {
                    nats.close();
                    vertx.close();
                });
    }

    public int port() {
        return verticle.actualPort();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("vert.x close: {}", e.toString());
        }
        nats.close();
    }

    public static void main(String[] args) {
        Logging.init();
        DemoConfig cfg = DemoConfig.load(System.getenv());
        GatewayMain gw;
        try {
            gw = start(cfg).toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException e) {
            log.error("gateway failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("gateway stopping");
            gw.close();
        }, "gateway-shutdown"));
    }
}
