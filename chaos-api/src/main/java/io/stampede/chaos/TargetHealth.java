package io.stampede.chaos;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Probes the system under test without blocking the event loop: NATS by reading the server's
 * INFO line, services by GETting their health URL. Each probe is bounded by a timeout. Probes
 * run on a period and {@code /healthz} answers from the latest round, so its cost does not
 * depend on how often it is called.
 */
public final class TargetHealth {
    static final long TIMEOUT_MS = 1000;

    private volatile JsonObject latest;
    private final Map<String, Boolean> upNow = new ConcurrentHashMap<>();

    private final Vertx vertx;
    private final ChaosConfig cfg;
    private final WebClient web;
    private final NetClient net;
    private final Map<String, Integer> up = new ConcurrentHashMap<>();
    static final String PROXY = "nats_proxy";

    public TargetHealth(Vertx vertx, ChaosConfig cfg, MeterRegistry registry) {
        this.vertx = vertx;
        this.cfg = cfg;
        this.web = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) TIMEOUT_MS)
                .setKeepAlive(false)
                .setUserAgent("stampede-chaos-api"));
        this.net = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) TIMEOUT_MS));
        List<String> names = new ArrayList<>();
        names.add("nats");
        names.add(PROXY);
        names.addAll(cfg.targets().keySet());
        for (String name : names) {
            up.put(name, 0);
            Gauge.builder("stampede.target.up", up, m -> m.getOrDefault(name, 0))
                    .description("1 when the target answered its last health probe")
                    .tag("target", name)
                    .register(registry);
        }
    }

    /** Probe now and then every {@code periodMs}. */
    public void start(long periodMs) {
        probeAll();
        vertx.setPeriodic(periodMs, t -> probeAll());
    }

    /** The latest round (probing now if there was none yet), with when it was taken. */
    public Future<JsonObject> current() {
        JsonObject l = latest;
        return l != null ? Future.succeededFuture(l) : probeAll();
    }

    /** Target → up, from the latest round; thread-safe (read by the guardrails thread). */
    public Map<String, Boolean> snapshot() {
        return Map.copyOf(upNow);
    }

    /** All targets probed in parallel: {name: {status: up|down, ...}}. */
    public Future<JsonObject> probeAll() {
        List<String> names = new ArrayList<>();
        List<Future<JsonObject>> probes = new ArrayList<>();
        names.add("nats");
        probes.add(probeNats());
        // informative: the latency proxy nats_latency needs (not a service_failure target)
        names.add(PROXY);
        probes.add(probeHttp(cfg.proxyAdminUrl().resolve("/healthz")));
        cfg.targets().forEach((name, url) -> {
            names.add(name);
            probes.add(probeHttp(url));
        });
        return Future.join(probes).transform(ignored -> {
            JsonObject out = new JsonObject();
            for (int i = 0; i < names.size(); i++) {
                JsonObject r = probes.get(i).result();
                boolean isUp = "up".equals(r.getString("status"));
                up.put(names.get(i), isUp ? 1 : 0);
                upNow.put(names.get(i), isUp);
                r.put("checked_at", java.time.Instant.now().toString());
                out.put(names.get(i), r);
            }
            latest = out;
            return Future.succeededFuture(out);
        });
    }

    private Future<JsonObject> probeHttp(URI url) {
        long start = System.nanoTime();
        return web.getAbs(url.toString())
                .timeout(TIMEOUT_MS)
                .send()
                .map(resp -> {
                    JsonObject r = new JsonObject()
                            .put("status", resp.statusCode() == 200 ? "up" : "down")
                            .put("health_url", url.toString())
                            .put("http_status", resp.statusCode())
                            .put("latency_ms", elapsedMs(start));
                    try {
                        Buffer body = resp.body();
                        if (body != null && body.length() > 0) {
                            r.put("detail", body.toJsonObject());
                        }
                    } catch (RuntimeException notJson) {
                        // a target's health body is informative only
                    }
                    return r;
                })
                .otherwise(err -> new JsonObject()
                        .put("status", "down")
                        .put("health_url", url.toString())
                        .put("error", String.valueOf(err.getMessage()))
                        .put("latency_ms", elapsedMs(start)));
    }

    private Future<JsonObject> probeNats() {
        long start = System.nanoTime();
        URI uri = URI.create(cfg.natsUrl());
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() < 0 ? 4222 : uri.getPort();
        Promise<JsonObject> result = Promise.promise();
        long timer = vertx.setTimer(TIMEOUT_MS, t -> result.tryFail("no INFO from NATS within " + TIMEOUT_MS + " ms"));
        net.connect(port, host).onComplete(ar -> {
            if (ar.failed()) {
                result.tryFail(ar.cause());
                return;
            }
            var socket = ar.result();
            socket.handler(buf -> {
                if (buf.toString().startsWith("INFO ")) {
                    result.tryComplete(new JsonObject()
                            .put("status", "up")
                            .put("url", cfg.natsUrl())
                            .put("latency_ms", elapsedMs(start)));
                } else {
                    result.tryFail("unexpected greeting from " + cfg.natsUrl());
                }
                socket.close();
            });
            socket.closeHandler(v -> result.tryFail("connection closed before INFO"));
        });
        return result.future()
                .onComplete(v -> vertx.cancelTimer(timer))
                .otherwise(err -> new JsonObject()
                        .put("status", "down")
                        .put("url", cfg.natsUrl())
                        .put("error", String.valueOf(err.getMessage()))
                        .put("latency_ms", elapsedMs(start)));
    }

    private static double elapsedMs(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 10_000.0) / 100.0;
    }
}
