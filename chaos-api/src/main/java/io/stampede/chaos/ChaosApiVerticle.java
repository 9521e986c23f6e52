package io.stampede.chaos;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stampede.chaos.experiment.ExperimentState;
import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.experiment.SpecCodec;
import io.stampede.chaos.experiment.Templates;
import io.stampede.chaos.lifecycle.ApiException;
import io.stampede.chaos.lifecycle.Experiment;
import io.stampede.chaos.lifecycle.ExperimentManager;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API's HTTP surface; routes are declared in {@link #start()}, in one place.
 * Handlers never block: lifecycle calls (journal fsync, injectors) run in executeBlocking.
 */
public final class ChaosApiVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ChaosApiVerticle.class);
    static final int BODY_LIMIT = 64 * 1024;
    private static final String RAW_BODY = "stampede.rawBody";

    private final ChaosConfig cfg;
    private final PrometheusMeterRegistry registry;
    private final ExperimentManager manager;
    private final SpecCodec parser;
    private final Instant startedAt = Instant.now();
    private final byte[] openApi;
    private final TargetHealth health;
    private HttpServer server;
    private volatile io.stampede.chaos.traffic.BaselineTraffic baselineTraffic;

    /** The baseline traffic whose verdict GET /baseline shows (null: none). */
    public void baseline(io.stampede.chaos.traffic.BaselineTraffic b) {
        this.baselineTraffic = b;
    }

    public ChaosApiVerticle(ChaosConfig cfg, PrometheusMeterRegistry registry, ExperimentManager manager, TargetHealth health) {
        this.cfg = cfg;
        this.health = health;
        this.registry = registry;
        this.manager = manager;
        this.parser = new SpecCodec(cfg.limits());
        this.openApi = resource("/openapi.yaml");
    }

    private static byte[] resource(String name) {
        try (InputStream in = ChaosApiVerticle.class.getResourceAsStream(name)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().order(-3).handler(this::sameSiteOnly);
        router.route().order(-2).handler(this::timeRequest);
        router.route().order(-1).handler(this::readBody);
        router.get("/healthz").handler(this::healthz);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
        router.get("/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/yaml").end(Buffer.buffer(openApi)));
        router.get("/templates").handler(this::templates);
        router.post("/experiments").handler(this::authorize).handler(this::create);
        router.get("/experiments").handler(this::list);
        router.delete("/experiments").handler(this::authorize).handler(this::stopAll);
        router.get("/experiments/:id").handler(this::getOne);
        router.delete("/experiments/:id").handler(this::authorize).handler(this::stopOne);
        router.get("/experiments/:id/report").handler(this::experimentReport);
        router.get("/plans/:id/report").handler(this::planReport);
        router.get("/baseline").handler(this::baseline);
        router.get("/plans/:id").handler(this::getPlan);
        router.delete("/plans/:id").handler(this::authorize).handler(this::stopPlan);
        // run directories (Gatling reports, hlog files, timelines), read-only; Vert.x refuses '..'
        router.get("/runs/*").handler(StaticHandler.create(FileSystemAccess.ROOT, cfg.runsDir().toString())
                .setCachingEnabled(false).setDirectoryListing(true).setAlwaysAsyncFS(true));
        router.errorHandler(404, ctx -> error(ctx, 404, "not_found", "no route " + ctx.request().method() + " " + ctx.request().path(), List.of()));
        router.errorHandler(405, ctx -> error(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed on " + ctx.request().path(), List.of()));
        router.errorHandler(500, ctx -> {
            log.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
            error(ctx, 500, "internal", "unexpected server error", List.of());
        });
        return vertx.createHttpServer()
                .invalidRequestHandler(ChaosApiVerticle::invalidRequest)
                .requestHandler(router)
                .listen(cfg.port(), cfg.host())
                .onSuccess(s -> {
                    server = s;
                    log.info("chaos API listening on {}:{}", cfg.host(), s.actualPort());
                });
    }

    public int actualPort() {
        return server.actualPort();
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * A web page in the user's browser can send a simple POST or DELETE to 127.0.0.1:8008 without
     * a preflight (and a rebinding DNS name can point at it). Browsers always name the page in
     * {@code Origin} and the name they resolved in {@code Host}; curl and scripts send no Origin
     * and a loopback Host. So: an Origin other than this API's own is refused, and so is a Host
     * that is not a loopback name or address or one listed in STAMPEDE_ALLOWED_HOSTS.
     */
    private void sameSiteOnly(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        // Vert.x 5 moves the Host header into the request's authority
        io.vertx.core.net.HostAndPort authority = req.authority();
        String host = null;
        if (authority != null) {
            String h = authority.host().contains(":") && !authority.host().startsWith("[") ? "[" + authority.host() + "]" : authority.host();
            host = authority.port() >= 0 ? h + ":" + authority.port() : h;
        }
        if (host != null) {
            String hostName = hostName(host);
            if (hostName == null || !(isLoopback(hostName) || cfg.bounds().allowedHosts().contains(hostName)
                    || hostName.equals(cfg.host().toLowerCase(java.util.Locale.ROOT)))) {
                error(ctx, 403, "forbidden_host", "Host '" + host + "' is not this API's: use a loopback address or a name in STAMPEDE_ALLOWED_HOSTS",
                        List.of(new Problem("Host", "not allowed: " + host)));
                return;
            }
        }
        String origin = req.getHeader("Origin");
        if (origin != null) {
            String own = host == null ? null : "http://" + host.toLowerCase(java.util.Locale.ROOT);
            if (!origin.toLowerCase(java.util.Locale.ROOT).equals(own)) {
                error(ctx, 403, "forbidden_origin", "cross-site requests are refused (Origin " + origin + ")",
                        List.of(new Problem("Origin", "not this API's origin " + (own == null ? "(no Host)" : own))));
                return;
            }
        }
        ctx.next();
    }

    /** The host part of a Host header, lower case, without port or IPv6 brackets; null when malformed. */
    static String hostName(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.trim().toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    static boolean isLoopback(String name) {
        if (name.equals("localhost") || name.endsWith(".localhost") || name.equals("::1")) {
            return true;
        }
        return name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /** What Vert.x could not even decode (a request line or headers too long): the same JSON errors. */
    private static void invalidRequest(HttpServerRequest req) {
        Throwable cause = req.decoderResult() == null ? null : req.decoderResult().cause();
        int status = 400;
        String code = "bad_request";
        String field = "request";
        if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
            status = 414;
            code = "uri_too_long";
            field = "url";
        } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
            status = 431;
            code = "headers_too_large";
            field = "headers";
        }
        JsonObject body = new JsonObject().put("error", code)
                .put("message", cause == null ? "the request could not be decoded" : cause.getMessage())
                .put("details", new JsonArray().add(new JsonObject().put("field", field).put("problem", code.replace('_', ' '))));
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
                .end(body.encode());
    }

    /** Collects the body (any Content-Type) up to the limit; 413 beyond it. */
    private void readBody(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (req.method() != HttpMethod.POST && req.method() != HttpMethod.PUT && req.method() != HttpMethod.PATCH) {
            ctx.next();
            return;
        }
        String len = req.getHeader("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.trim()) > BODY_LIMIT) {
                    tooLarge(ctx);
                    return;
                }
            } catch (NumberFormatException e) {
                error(ctx, 400, "bad_request", "invalid Content-Length", List.of(new Problem("Content-Length", "not a number")));
                return;
            }
        }
        Buffer body = Buffer.buffer();
        boolean[] over = {false};
        req.handler(chunk -> {
            if (over[0]) {
                return;
            }
            if (body.length() + chunk.length() > BODY_LIMIT) {
                over[0] = true;
                tooLarge(ctx);
            } else {
                body.appendBuffer(chunk);
            }
        });
        req.endHandler(v -> {
            if (!over[0]) {
                ctx.put(RAW_BODY, body);
                ctx.next();
            }
        });
        req.exceptionHandler(err -> log.debug("request body failed: {}", err.toString()));
        req.resume();
    }

    private void tooLarge(RoutingContext ctx) {
        ctx.response().putHeader("Connection", "close");
        error(ctx, 413, "payload_too_large", "request body is larger than " + BODY_LIMIT + " bytes",
                List.of(new Problem("body", "at most " + BODY_LIMIT + " bytes")));
    }

    /** Mutations need the bearer token when one is configured. */
    private void authorize(RoutingContext ctx) {
        if (cfg.apiToken() == null) {
            ctx.next();
            return;
        }
        String auth = ctx.request().getHeader("Authorization");
        String expected = "Bearer " + cfg.apiToken();
        if (auth != null && MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        error(ctx, 401, "unauthorized", "this server requires 'Authorization: Bearer <STAMPEDE_API_TOKEN>' for changes",
                List.of(new Problem("Authorization", auth == null ? "missing" : "wrong token")));
    }

    private void timeRequest(RoutingContext ctx) {
        long start = System.nanoTime();
        String route = routeTag(ctx.request().path());
        ctx.addBodyEndHandler(v -> Timer.builder("stampede.api.request.duration")
                .description("Control API request duration")
                .tag("method", methodTag(ctx.request().method()))
                .tag("route", route)
                .tag("status", Integer.toString(ctx.response().getStatusCode()))
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        ctx.next();
    }

    /** Methods a client made up must not each create a timer. */
    private static String methodTag(HttpMethod m) {
        return switch (m.name()) {
            case "GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS" -> m.name();
            default -> "other";
        };
    }

    private static String routeTag(String path) {
        if (path == null) {
            return "other";
        }
        return switch (path) {
            case "/healthz", "/metrics", "/templates", "/experiments", "/openapi.yaml" -> path;
            default -> path.startsWith("/experiments/") && path.indexOf('/', 13) < 0 ? "/experiments/{id}"
                    : path.startsWith("/experiments/") && path.endsWith("/report") ? "/experiments/{id}/report"
                    : path.startsWith("/plans/") ? (path.endsWith("/report") ? "/plans/{id}/report" : "/plans/{id}") : "other";
        };
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

    private static void fail(RoutingContext ctx, Throwable t) {
        if (t instanceof ApiException a) {
            error(ctx, a.status(), a.code(), a.getMessage(), a.details());
        } else {
            log.error("request failed", t);
            error(ctx, 500, "internal", "unexpected server error: " + t.getMessage(), List.of());
        }
    }

    // ---------------------------------------------------------------- handlers

    private void healthz(RoutingContext ctx) {
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
                .put("targets", ar.succeeded() ? ar.result() : new JsonObject())));
    }

    private void templates(RoutingContext ctx) {
        JsonArray all = new JsonArray();
        Templates.all().forEach(t -> all.add(t.json()));
        json(ctx, 200, new JsonObject().put("templates", all));
    }

    private void create(RoutingContext ctx) {
        Buffer raw = ctx.get(RAW_BODY);
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
            Request request = interpret(body);
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

    private record Request(List<SpecCodec.Parsed> items, boolean plan) {}

    /** A single experiment, a template (with overrides), or a plan ({@code experiments: [...]}). */
    private Request interpret(JsonObject body) {
        if (body.containsKey("template")) {
            Object name = body.getValue("template");
            if (!(name instanceof String n)) {
                throw invalid(List.of(new Problem("template", "must be a string")));
            }
            Templates.Template t = Templates.byName(n).orElseThrow(() -> invalid(List.of(new Problem("template",
                    "unknown template '" + n + "'; GET /templates lists them"))));
            JsonObject overrides = body.copy();
            overrides.remove("template");
            if (t.isPlan()) {
                if (!overrides.isEmpty()) {
                    throw invalid(overrides.fieldNames().stream().map(f -> new Problem(f, "plan templates take no overrides")).toList());
                }
                return plan(t.steps());
            }
            JsonObject merged = t.params().copy().mergeIn(overrides);
            return new Request(List.of(parseOne(merged, "")), false);
        }
        if (body.containsKey("experiments")) {
            Object steps = body.getValue("experiments");
            List<Problem> problems = new ArrayList<>();
            body.fieldNames().stream().filter(f -> !f.equals("experiments")).forEach(f -> problems.add(new Problem(f, "unknown field for a plan")));
            if (!(steps instanceof JsonArray arr) || arr.isEmpty() || arr.size() > 50) {
                problems.add(new Problem("experiments", "must be an array of 1..50 experiment objects"));
                throw invalid(problems);
            }
            List<JsonObject> objects = new ArrayList<>();
            for (int i = 0; i < arr.size(); i++) {
                if (arr.getValue(i) instanceof JsonObject o) {
                    objects.add(o);
                } else {
                    problems.add(new Problem("experiments[" + i + "]", "must be an object"));
                }
            }
            if (!problems.isEmpty()) {
                throw invalid(problems);
            }
            return plan(objects);
        }
        return new Request(List.of(parseOne(body, "")), false);
    }

    private Request plan(List<JsonObject> steps) {
        List<SpecCodec.Parsed> items = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            SpecCodec.Result r = parser.parse(steps.get(i));
            String prefix = "experiments[" + i + "].";
            r.problems().forEach(p -> problems.add(p.prefixed(prefix)));
            if (r.ok()) {
                items.add(r.parsed());
            }
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        return new Request(items, true);
    }

    private SpecCodec.Parsed parseOne(JsonObject body, String prefix) {
        SpecCodec.Result r = parser.parse(body);
        if (!r.ok()) {
            throw invalid(r.problems().stream().map(p -> p.prefixed(prefix)).toList());
        }
        return r.parsed();
    }

    private static ApiException invalid(List<Problem> problems) {
        Problem first = problems.get(0);
        String message = problems.size() == 1
                ? "invalid field " + first.field() + ": " + first.problem()
                : problems.size() + " invalid fields, first " + first.field() + ": " + first.problem();
        return new ApiException(400, "validation_failed", message, problems);
    }

    private void list(RoutingContext ctx) {
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

    private void getOne(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        manager.get(id).ifPresentOrElse(
                e -> Future.fromCompletionStage(manager.statsAsync(e), vertx.getOrCreateContext())
                        .onComplete(ar -> json(ctx, 200, withVerdict(e, e.toJson(ar.succeeded() ? ar.result().json() : new JsonObject())))),
                () -> notFound(ctx, id));
    }

    private void stopOne(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        manager.get(id).ifPresentOrElse(
                e -> Future.fromCompletionStage(manager.endAsync(e, ExperimentState.STOPPED, "stopped by DELETE"), vertx.getOrCreateContext())
                        .compose(done -> Future.fromCompletionStage(manager.statsAsync(done), vertx.getOrCreateContext())
                                .map(stats -> withVerdict(done, done.toJson(stats.json()))))
                        .onSuccess(body -> json(ctx, 200, body))
                        .onFailure(t -> fail(ctx, t)),
                () -> notFound(ctx, id));
    }

    private void stopAll(RoutingContext ctx) {
        Future.fromCompletionStage(manager.stopAllAsync(ExperimentState.STOPPED, "stopped by DELETE /experiments",
                        Duration.ofSeconds(60)), vertx.getOrCreateContext())
                .onSuccess(stopped -> {
                    JsonArray list = new JsonArray();
                    stopped.forEach(e -> list.add(e.toJson(null)));
                    json(ctx, 200, new JsonObject().put("stopped", stopped.size()).put("experiments", list));
                })
                .onFailure(t -> fail(ctx, t));
    }

    /** The experiment's verdict as last published (never waits: see Verdicts), and its baseline window. */
    private JsonObject withVerdict(Experiment e, JsonObject body) {
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

    /** The self-contained HTML report, at any time: provisional while the verdict is pending. */
    private void experimentReport(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        manager.get(id).ifPresentOrElse(e -> report(ctx, e.runDir(), () -> !manager.verdict(e).isFinal()),
                () -> notFound(ctx, id));
    }

    private void planReport(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        List<Experiment> steps = manager.plan(id);
        if (steps.isEmpty()) {
            error(ctx, 404, "not_found", "no plan " + id, List.of(new Problem("id", "unknown")));
            return;
        }
        report(ctx, cfg.runsDir().resolve(id), () -> !manager.planVerdict(id, steps).isFinal());
    }

    private void report(RoutingContext ctx, java.nio.file.Path dir, java.util.function.BooleanSupplier provisional) {
        vertx.executeBlocking(() -> {
            // the verdict is brought up to date first, so the page shows what GET would
            boolean p = provisional.getAsBoolean();
            java.nio.file.Files.createDirectories(dir);
            return io.stampede.reports.html.HtmlReport.render(dir, p);
        }, false).onSuccess(html -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html))
                .onFailure(t -> fail(ctx, t));
    }

    /** The baseline traffic's run: its directory, rates and its own verdict over everything it sent. */
    private void baseline(RoutingContext ctx) {
        io.stampede.chaos.traffic.BaselineTraffic b = baselineTraffic;
        if (b == null) {
            error(ctx, 404, "not_found", "no baseline traffic on this server (STAMPEDE_BASELINE=on starts it)",
                    List.of(new Problem("baseline", "off")));
            return;
        }
        vertx.executeBlocking(() -> {
            JsonObject body = new JsonObject().put("run_dir", b.runDir().toString()).put("baseline_rate", b.baselineRate());
            io.stampede.reports.Verdict v = b.verdict();
            body.put("status", v == null ? "connecting" : "running");
            if (v != null) {
                body.put("verdict", new JsonObject(v.toMap()));
            }
            return body;
        }, false).onSuccess(body -> json(ctx, 200, body)).onFailure(t -> fail(ctx, t));
    }

    private void getPlan(RoutingContext ctx) {
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
        steps.forEach(e -> list.add(withVerdict(e, e.toJson(null))));
        JsonObject body = new JsonObject().put("plan_id", id).put("run_dir", cfg.runsDir().resolve(id).toString())
                .put("status", steps.stream().allMatch(e -> e.state().isFinal()) ? "finished" : "active")
                .put("experiments", list);
        return body.put("verdict", new JsonObject(manager.planVerdict(id, steps).toMap()));
    }

    private void stopPlan(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        List<Experiment> steps = manager.plan(id);
        if (steps.isEmpty()) {
            error(ctx, 404, "not_found", "no plan " + id, List.of(new Problem("id", "unknown")));
            return;
        }
        List<java.util.concurrent.CompletableFuture<Experiment>> ends = steps.stream()
                .map(e -> manager.endAsync(e, ExperimentState.STOPPED, "plan stopped by DELETE")).toList();
        Future.fromCompletionStage(java.util.concurrent.CompletableFuture.allOf(ends.toArray(java.util.concurrent.CompletableFuture[]::new)),
                        vertx.getOrCreateContext())
                .compose(v -> vertx.executeBlocking(() -> planJson(id, steps), false))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(t -> fail(ctx, t));
    }

    private static void notFound(RoutingContext ctx, String id) {
        error(ctx, 404, "not_found", "no experiment " + id, List.of(new Problem("id", "unknown")));
    }

    static Set<String> routes() {
        return Set.of("/healthz", "/metrics", "/templates", "/experiments", "/experiments/{id}", "/plans/{id}", "/baseline", "/experiments/{id}/report", "/plans/{id}/report", "/openapi.yaml");
    }
}
