package io.stampede.demo.agent;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stampede.demo.DemoConfig;
import io.stampede.demo.Http;
import io.stampede.demo.Logging;
import io.stampede.demo.NatsLink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The demo agent process: {@code java -jar demo/target/agent.jar}. */
public final class AgentMain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

    private final Vertx vertx;
    private final NatsLink nats;
    private final SignalConsumer consumer;
    private final int port;

    private AgentMain(Vertx vertx, NatsLink nats, SignalConsumer consumer, int port) {
        this.vertx = vertx;
        this.nats = nats;
        this.consumer = consumer;
        this.port = port;
    }

    public static Future<AgentMain> start(DemoConfig cfg) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        SignalConsumer consumer = new SignalConsumer(cfg, registry);
        NatsLink nats = NatsLink.start(cfg.natsUrl(), "stampede-demo-agent", consumer::setUp);
        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        Http.mountRequestTimer(router, registry, "agent", Set.of("/healthz", "/metrics"));
        router.get("/healthz").handler(ctx -> {
            boolean up = nats.isConnected();
            Http.json(ctx, up ? 200 : 503, new JsonObject()
                    .put("status", up ? "ok" : "degraded")
                    .put("service", "agent")
                    .put("nats", new JsonObject()
                            .put("connected", up)
                            .put("status", nats.status())
                            .put("url", nats.url()))
                    .put("consumer", new JsonObject()
                            .put("durable", cfg.agentDurable())
                            .put("state", consumer.state())
                            .put("last_processed_at_ms", consumer.lastProcessedAtMs())));
        });
        Http.mountMetrics(router, registry);
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(cfg.agentPort(), cfg.httpHost())
                .map(server -> {
                    log.info("agent listening on {}:{}", cfg.httpHost(), server.actualPort());
                    return new AgentMain(vertx, nats, consumer, server.actualPort());
                })
                .onFailure(e -> {
                    nats.close();
                    vertx.close();
                });
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        consumer.close();
        nats.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("vert.x close: {}", e.toString());
        }
    }

    public static void main(String[] args) {
        Logging.init();
        DemoConfig cfg = DemoConfig.load(System.getenv());
        AgentMain agent;
        try {
            agent = start(cfg).toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException e) {
            log.error("agent failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("agent stopping");
            agent.close();
        }, "agent-shutdown"));
    }
}
