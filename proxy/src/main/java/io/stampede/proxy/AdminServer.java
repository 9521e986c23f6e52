package io.stampede.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The proxy's loopback admin API: {@code GET /faults}, {@code GET|PUT|DELETE /faults/{id}}
 * (DELETE answers a message fault's final {@code counters}), {@code GET /stats}, {@code GET /metrics}
 * (Prometheus text), {@code POST /stats/reset} (clears delay accuracy and peaks),
 * {@code GET /healthz} (200 while the proxy loop runs, accepts and answers a no-op within
 * {@value #HEALTH_TIMEOUT_MS} ms; else 503 {@code {"status":"down","reason":...}}). Runs on its own
 * thread, never on the proxy loop.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY = 16 * 1024;
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_.:-]+");
    /** How long /healthz waits for the proxy loop to run a no-op before calling it wedged. */
    static final long HEALTH_TIMEOUT_MS = 1_000;

    private final NatsProxy proxy;
    private final HttpServer http;
    private AdminServer(NatsProxy proxy, HttpServer http) {
        this.proxy = proxy;
        this.http = http;
    }

    public static AdminServer start(NatsProxy proxy) throws IOException {
        // without TCP_NODELAY, small responses meet the client's delayed ACK: ~40 ms per call
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer http = HttpServer.create(proxy.config().adminAddress(), 16);
        AdminServer s = new AdminServer(proxy, http);
        http.createContext("/", s::handle);
        // handlers run on the server's own dispatcher thread: one thread hand-off less per call
        http.setExecutor(null);
        http.start();
        log.info("nats proxy admin API on http://{}:{}", proxy.config().adminHost(), s.port());
        return s;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + proxy.config().adminHost() + ":" + port();
    }

    private void handle(HttpExchange ex) throws IOException {
        long t0 = System.nanoTime();
        Runnable after = null;
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/metrics") && method.equals("GET")) {
                sendText(ex, proxy.metrics());
            } else if (path.equals("/stats") && method.equals("GET")) {
                send(ex, 200, proxy.stats());
            } else if (path.equals("/stats/reset") && method.equals("POST")) {
                proxy.resetPeaks();
                send(ex, 200, new JsonObject().put("reset", true));
            } else if (path.equals("/healthz") && method.equals("GET")) {
                String reason = proxy.unhealthyReason(HEALTH_TIMEOUT_MS);
                send(ex, reason == null ? 200 : 503, reason == null ? new JsonObject().put("status", "ok")
                        : new JsonObject().put("status", "down").put("reason", reason));
            } else if ((path.equals("/faults") || path.equals("/faults/")) && method.equals("GET")) {
                send(ex, 200, new JsonObject().put("faults", proxy.faults()));
            } else if (path.startsWith("/faults/")) {
                after = fault(ex, method, path.substring("/faults/".length()));
                proxy.recordAdminCall(System.nanoTime() - t0);
            } else {
                send(ex, 404, error("not_found", method + " " + path));
            }
        } catch (RuntimeException e) {
            log.warn("admin request failed", e);
            send(ex, 500, error("internal", e.toString()));
        }
        if (after != null) {
            after.run(); // logging after the answer: not part of the call's time
        }
    }

    /** @return what to log once the answer is sent, or null */
    private Runnable fault(HttpExchange ex, String method, String id) throws IOException {
        if (id.isEmpty() || id.length() > 200 || !ID.matcher(id).matches()) {
            send(ex, 400, error("bad_id", "fault id must match [A-Za-z0-9_.:-]{1,200}"));
            return null;
        }
        switch (method) {
            case "GET" -> {
                JsonObject f = proxy.fault(id);
                send(ex, f == null ? 404 : 200, f == null ? error("not_found", id) : f.put("id", id));
            }
            case "PUT" -> {
                ProxyFault fault;
                try {
                    fault = ProxyFault.fromJson(new JsonObject(readBody(ex)));
                } catch (DecodeException | IllegalArgumentException e) {
                    send(ex, 400, error("bad_request", e.getMessage()));
                    return null;
                }
                var problems = fault.validate();
                if (!problems.isEmpty()) {
                    send(ex, 400, error("bad_request", String.join("; ", problems)));
                    return null;
                }
                String appliedAt = proxy.putFaultQuietly(id, fault);
                send(ex, 200, fault.toJson().put("applied_at", appliedAt).put("id", id));
                return () -> log.info("fault {} applied: {}", id, fault.toJson().encode());
            }
            case "DELETE" -> {
                JsonObject counters = proxy.removeFaultQuietly(id);
                JsonObject body = new JsonObject().put("id", id).put("removed", counters != null);
                if (counters != null && !counters.isEmpty()) {
                    body.put("counters", counters);
                }
                send(ex, 200, body);
                return counters == null ? null : () -> log.info("fault {} removed {}", id, counters.encode());
            }
            default -> send(ex, 405, error("method_not_allowed", method));
        }
        return null;
    }

    private static String readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new IllegalArgumentException("body larger than " + MAX_BODY + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private static JsonObject error(String code, String message) {
        return new JsonObject().put("error", code).put("message", message);
    }

    private static void send(HttpExchange ex, int status, JsonObject body) throws IOException {
        byte[] b = body.encode().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static void sendText(HttpExchange ex, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
