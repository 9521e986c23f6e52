package io.stampede.chaos.http;

import static io.stampede.chaos.http.Replies.error;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.stampede.chaos.ChaosConfig;
import io.stampede.chaos.experiment.Problem;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a request must pass before any resource sees it, in this order:
 * <ol>
 *   <li>Host and Origin: this API's own, else 403 (not timed);</li>
 *   <li>then {@code admitted} runs (the request timer);</li>
 *   <li>the body of a POST/PUT/PATCH, collected up to {@link #BODY_LIMIT} (else 413) and left in the
 *       context for {@link #body(RoutingContext)};</li>
 *   <li>the bearer token, on the routes the table marks {@link RouteTable.Access#TOKEN} (else 401).</li>
 * </ol>
 * The first three are {@link #handle(RoutingContext)}, installed in front of every route; the token
 * check is {@link #authorize(RoutingContext)}, which only the router can place, because only the
 * router knows which route a path matches.
 */
final class Guard implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(Guard.class);
    static final int BODY_LIMIT = 64 * 1024;
    private static final String RAW_BODY = "stampede.rawBody";

    private final ChaosConfig cfg;
    private final Handler<RoutingContext> admitted;

    Guard(ChaosConfig cfg, Handler<RoutingContext> admitted) {
        this.cfg = cfg;
        this.admitted = admitted;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!sameSiteOnly(ctx)) {
            return;
        }
        admitted.handle(ctx);
        readBody(ctx);
    }

    /** The body {@link #handle} collected: null for methods without one. */
    static Buffer body(RoutingContext ctx) {
        return ctx.get(RAW_BODY);
    }

    /**
     * A web page in the user's browser can send a simple POST or DELETE to 127.0.0.1:8008 without
     * a preflight (and a rebinding DNS name can point at it). Browsers always name the page in
     * {@code Origin} and the name they resolved in {@code Host}; curl and scripts send no Origin
     * and a loopback Host. So: an Origin other than this API's own is refused, and so is a Host
     * that is not a loopback name or address or one listed in STAMPEDE_ALLOWED_HOSTS.
     *
     * @return whether the request may go on (else it has been answered)
     */
    private boolean sameSiteOnly(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        // Vert.x 5 moves the Host header into the request's authority
        HostAndPort authority = req.authority();
        String host = null;
        if (authority != null) {
            String h = authority.host().contains(":") && !authority.host().startsWith("[") ? "[" + authority.host() + "]" : authority.host();
            host = authority.port() >= 0 ? h + ":" + authority.port() : h;
        }
        if (host != null) {
            String hostName = hostName(host);
            if (hostName == null || !(isLoopback(hostName) || cfg.bounds().allowedHosts().contains(hostName)
                    || hostName.equals(cfg.host().toLowerCase(Locale.ROOT)))) {
                error(ctx, 403, "forbidden_host", "Host '" + host + "' is not this API's: use a loopback address or a name in STAMPEDE_ALLOWED_HOSTS",
                        List.of(new Problem("Host", "not allowed: " + host)));
                return false;
            }
        }
        String origin = req.getHeader("Origin");
        if (origin != null) {
            String own = host == null ? null : "http://" + host.toLowerCase(Locale.ROOT);
            if (!origin.toLowerCase(Locale.ROOT).equals(own)) {
                error(ctx, 403, "forbidden_origin", "cross-site requests are refused (Origin " + origin + ")",
                        List.of(new Problem("Origin", "not this API's origin " + (own == null ? "(no Host)" : own))));
                return false;
            }
        }
        return true;
    }

    /** The host part of a Host header, lower case, without port or IPv6 brackets; null when malformed. */
    static String hostName(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
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
    void authorize(RoutingContext ctx) {
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

    /** What Vert.x could not even decode (a request line or headers too long): the same JSON errors. */
    static void invalidRequest(HttpServerRequest req) {
        Throwable cause = req.decoderResult() == null ? null : req.decoderResult().cause();
        int status = 400;
        String code = "bad_request";
        String field = "request";
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            code = "uri_too_long";
            field = "url";
        } else if (cause instanceof TooLongHttpHeaderException) {
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
}
