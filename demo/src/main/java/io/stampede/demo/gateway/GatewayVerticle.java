package io.stampede.demo.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.JetStreamApiException;
import io.stampede.demo.DemoConfig;
import io.stampede.demo.ExperimentLog;
import io.stampede.demo.Http;
import io.stampede.demo.NatsLink;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST /webhook: validate a trading signal, publish it to JetStream on {@code signals.<symbol>}
 * with {@code Nats-Msg-Id} = signal id, answer 202 only after the stream acknowledged it.
 */
public final class GatewayVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);
    /** Load tests pad bodies up to 1 MiB; leave room for the JSON around the padding. */
    static final long BODY_LIMIT = 2L << 20;

    private final DemoConfig cfg;
    private final NatsLink nats;
    private final PrometheusMeterRegistry registry;
    private final Counter received;
    private final Counter validationErrors;
    private final Counter published;
    private final Counter duplicatesAtStream;
    private final Counter publishFailures;
    private final Counter publishRejected;
    /** Outcomes counted per experiment for the once-a-second summary line. */
    private static final int ACCEPTED = 0, DUPLICATE = 1, REJECTED_FULL = 2, FAILED = 3, INVALID = 4;
    private final ExperimentLog experiments = new ExperimentLog(log, "gateway",
            java.util.List.of("accepted", "duplicate", "rejected_full", "failed", "invalid"));
    private HttpServer server;
    private volatile JetStream jetStream;

    public GatewayVerticle(DemoConfig cfg, NatsLink nats, PrometheusMeterRegistry registry) {
        this.cfg = cfg;
        this.nats = nats;
        this.registry = registry;
        this.received = Counter.builder("gateway.webhooks.received").description("Webhooks received").register(registry);
        this.validationErrors = Counter.builder("gateway.validation.errors").description("Webhooks rejected as invalid").register(registry);
        this.published = Counter.builder("gateway.signals.published").description("Signals acknowledged by the stream").register(registry);
        this.duplicatesAtStream = Counter.builder("gateway.signals.duplicate").description("Signals the stream dropped as duplicates (same Nats-Msg-Id within its window)").register(registry);
        this.publishFailures = Counter.builder("gateway.publish.failures").description("Signals that could not be published").register(registry);
        this.publishRejected = Counter.builder("gateway.publish.rejected")
                .description("Signals refused with 503 stream_full: the SIGNALS stream is at its limit (DiscardPolicy.New)").register(registry);
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        Http.mountRequestTimer(router, registry, "gateway", Set.of("/webhook", "/healthz", "/metrics"));
        router.post("/webhook").handler(BodyHandler.create().setBodyLimit(BODY_LIMIT)).handler(this::webhook);
        router.get("/healthz").handler(this::health);
        Http.mountMetrics(router, registry);
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(cfg.gatewayPort(), cfg.httpHost())
                .onSuccess(s -> {
                    server = s;
                    log.info("gateway listening on {}:{}", cfg.httpHost(), s.actualPort());
                });
    }

    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() throws Exception {
        experiments.close();
        return super.stop();
    }

    private void webhook(RoutingContext ctx) {
        received.increment();
        String experiment = ctx.request().getHeader(ExperimentLog.HEADER);
        SignalValidator.Result result = SignalValidator.validate(ctx.body().buffer());
        if (!result.ok()) {
            validationErrors.increment();
            experiments.record(experiment, INVALID);
            JsonArray details = new JsonArray();
            result.problems().forEach(p -> details.add(Http.problem(p.field(), p.problem())));
            Http.json(ctx, 400, Http.error("validation_failed",
                    "invalid signal: " + result.problems().get(0).field() + " " + result.problems().get(0).problem(), details));
            return;
        }
        Connection conn = nats.connection();
        if (!nats.isConnected() || conn == null) {
            publishFailures.increment();
            experiments.record(experiment, FAILED);
            Http.json(ctx, 503, Http.error("nats_unavailable", "NATS is " + nats.status() + "; signal not accepted", new JsonArray()));
            return;
        }
        JsonObject signal = result.signal();
        String id = signal.getString("id");
        if (id == null) {
            id = UUID.randomUUID().toString();
            signal.put("id", id);
        }
        String subject = cfg.signalsSubjectPrefix() + "." + signal.getString("symbol");
        Headers headers = new Headers();
        if (experiment != null) {
            headers.add(ExperimentLog.HEADER, experiment);
        }
        PublishOptions options = PublishOptions.builder().messageId(id).expectedStream(cfg.signalsStream()).build();
        CompletableFuture<PublishAck> ack;
        try {
            ack = jetStream(conn).publishAsync(subject, headers, signal.toBuffer().getBytes(), options)
                    .orTimeout(cfg.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            ack = CompletableFuture.failedFuture(e);
        }
        String finalId = id;
        Future.fromCompletionStage(ack, vertx.getOrCreateContext())
                .onSuccess(pa -> {
                    (pa.isDuplicate() ? duplicatesAtStream : published).increment();
                    experiments.record(experiment, pa.isDuplicate() ? DUPLICATE : ACCEPTED);
                    Http.json(ctx, 202, new JsonObject()
                            .put("id", finalId)
                            .put("status", "accepted")
                            .put("stream", pa.getStream())
                            .put("seq", pa.getSeqno())
                            .put("duplicate", pa.isDuplicate()));
                })
                .onFailure(err -> {
                    Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                    if (isStreamFull(cause)) {
                        // DiscardPolicy.New: the stream refused it, nothing was stored; say so
                        // instead of accepting a signal that a full stream would later drop
                        publishRejected.increment();
                        experiments.record(experiment, REJECTED_FULL);
                        ctx.response().putHeader("Retry-After", "1");
                        Http.json(ctx, 503, Http.error("stream_full",
                                "signal " + finalId + " not accepted: stream " + cfg.signalsStream() + " is at its limit ("
                                        + cfg.signalsMaxMsgs() + " messages / " + cfg.signalsMaxBytes() + " bytes: SIGNALS_MAX_MSGS, "
                                        + "SIGNALS_MAX_BYTES); retry later", new JsonArray()));
                        return;
                    }
                    publishFailures.increment();
                    experiments.record(experiment, FAILED);
                    boolean timeout = cause instanceof TimeoutException;
                    log.warn("publish of signal {} failed: {}", finalId, cause.toString());
                    Http.json(ctx, timeout ? 504 : 503, Http.error(timeout ? "publish_timeout" : "publish_failed",
                            "signal " + finalId + " was not acknowledged by stream " + cfg.signalsStream() + ": " + cause.getMessage(),
                            new JsonArray()));
                });
    }

    /** The server's answer to a publish into a full stream with DiscardPolicy.New (err_code 10077). */
    static boolean isStreamFull(Throwable failure) {
        // jnats wraps the server's error (in a RuntimeException for publishAsync): walk the chain
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JetStreamApiException api) {
                String d = api.getErrorDescription() == null ? "" : api.getErrorDescription().toLowerCase(java.util.Locale.ROOT);
                return d.contains("maximum messages") || d.contains("maximum bytes");
            }
        }
        return false;
    }

    private JetStream jetStream(Connection conn) throws RuntimeException {
        JetStream js = jetStream;
        if (js == null) {
            try {
                js = conn.jetStream();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            jetStream = js;
        }
        return js;
    }

    private void health(RoutingContext ctx) {
        boolean up = nats.isConnected();
        Http.json(ctx, up ? 200 : 503, new JsonObject()
                .put("status", up ? "ok" : "degraded")
                .put("service", "gateway")
                .put("nats", new JsonObject()
                        .put("connected", up)
                        .put("status", nats.status())
                        .put("url", nats.url())
                        .put("stream", cfg.signalsStream())));
    }
}
