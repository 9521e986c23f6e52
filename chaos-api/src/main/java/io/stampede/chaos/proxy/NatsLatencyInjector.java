package io.stampede.chaos.proxy;

import io.stampede.chaos.experiment.NatsLatency;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.proxy.ProxyFault;
import io.stampede.proxy.ProxyMain;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code nats_latency}: a fault in the NATS proxy process ({@link ProxyMain}), keyed by the
 * experiment id, through the proxy's admin API. The proxy runs apart from the chaos API, so a
 * crash of the chaos API never stops NATS traffic; the fault stays until revert DELETEs it, or
 * until its {@code expires_at} (experiment duration plus {@link #EXPIRY_GRACE}) if the chaos API
 * never comes back.
 *
 * <p>Revert token: {@code {"admin_url": ..., "fault_id": ...}}.
 */
public final class NatsLatencyInjector implements FaultInjector<NatsLatency> {
    private static final Logger log = LoggerFactory.getLogger(NatsLatencyInjector.class);
    /** How long past its planned end a fault survives if nobody reverts it. */
    public static final Duration EXPIRY_GRACE = Duration.ofSeconds(60);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long STATS_REFRESH_NANOS = 500_000_000L;

    private final URI adminUrl;
    private final HttpClient http;
    private final Map<String, JsonObject> lastStats = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile long lastRefresh;

    /** @param adminUrl the proxy admin base URL, e.g. {@code http://127.0.0.1:4224} */
    public NatsLatencyInjector(URI adminUrl) {
        this.adminUrl = stripSlash(adminUrl);
        // HTTP/1.1: the default HTTP/2 attempt (h2c upgrade) is wasted on the JDK server
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    @Override
    public Class<NatsLatency> specType() {
        return NatsLatency.class;
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, NatsLatency spec) throws IOException, InterruptedException {
        String id = ctx.experimentId();
        long lifeMs = ctx.scaled(spec.durationS()).toMillis() + EXPIRY_GRACE.toMillis();
        ProxyFault fault = new ProxyFault(spec.delayMs(), spec.jitterPct(), direction(spec.direction()), 0, false,
                Instant.now().plusMillis(lifeMs));
        HttpResponse<String> r = send(HttpRequest.newBuilder(faultUri(adminUrl, id))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(fault.toJson().encode())).build());
        if (r.statusCode() != 200) {
            throw new IOException("proxy " + adminUrl + " refused fault " + id + ": " + r.statusCode() + " " + r.body());
        }
        withMdc(id, () -> log.info("nats_latency applied through proxy {}: {}", adminUrl, fault.toJson().encode()));
        return new JsonObject().put("admin_url", adminUrl.toString()).put("fault_id", id);
    }

    @Override
    public void revert(ExperimentContext ctx, NatsLatency spec, JsonObject token) throws IOException, InterruptedException {
        URI base = adminUrl;
        String id = ctx.experimentId();
        if (token != null) {
            base = stripSlash(URI.create(token.getString("admin_url", adminUrl.toString())));
            id = token.getString("fault_id", id);
        }
        HttpResponse<String> r = send(HttpRequest.newBuilder(faultUri(base, id)).timeout(TIMEOUT).DELETE().build());
        if (r.statusCode() != 200) {
            throw new IOException("proxy " + base + " did not remove fault " + id + ": " + r.statusCode() + " " + r.body());
        }
        lastStats.remove(id);
        String fid = id;
        URI fbase = base;
        withMdc(ctx.experimentId(), () -> log.info("nats_latency reverted on proxy {} (fault {} was {})", fbase, fid,
                new JsonObject(r.body()).getBoolean("removed") ? "present" : "already gone"));
    }

    /** Last known proxy figures for this experiment's fault; refreshed in the background. */
    @Override
    public JsonObject stats(ExperimentContext ctx) {
        if (System.nanoTime() - lastRefresh > STATS_REFRESH_NANOS && refreshing.compareAndSet(false, true)) {
            http.sendAsync(HttpRequest.newBuilder(adminUrl.resolve("/stats")).timeout(TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> {
                        try {
                            if (e == null && r.statusCode() == 200) {
                                cache(new JsonObject(r.body()));
                            }
                        } catch (RuntimeException ignored) {
                            // keep the previous figures
                        } finally {
                            lastRefresh = System.nanoTime();
                            refreshing.set(false);
                        }
                    });
        }
        JsonObject s = lastStats.get(ctx.experimentId());
        return s == null ? new JsonObject().put("proxy", adminUrl.toString()) : s.copy();
    }

    private void cache(JsonObject proxyStats) {
        JsonObject faults = proxyStats.getJsonObject("faults", new JsonObject());
        JsonObject common = proxyStats.copy();
        common.remove("faults");
        lastStats.keySet().retainAll(faults.fieldNames());
        for (String id : faults.fieldNames()) {
            lastStats.put(id, new JsonObject()
                    .put("proxy", adminUrl.toString())
                    .put("fault", faults.getJsonObject(id))
                    .put("proxy_stats", common)
                    .put("as_of", Instant.now().toString()));
        }
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static ProxyFault.Direction direction(NatsLatency.Direction d) {
        return d == NatsLatency.Direction.BOTH ? ProxyFault.Direction.BOTH : ProxyFault.Direction.TO_SERVER;
    }

    private static URI faultUri(URI base, String id) {
        return URI.create(base + "/faults/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
    }

    private static URI stripSlash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : u;
    }

    private static void withMdc(String experimentId, Runnable r) {
        try (var a = MDC.putCloseable("_chaos_experiment_id", experimentId);
             var b = MDC.putCloseable("_chaos_type", NatsLatency.TYPE)) {
            r.run();
        }
    }
}
