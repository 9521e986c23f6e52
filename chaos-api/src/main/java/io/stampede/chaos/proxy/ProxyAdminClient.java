package io.stampede.chaos.proxy;

import io.stampede.proxy.api.ProxyFault;
import io.stampede.chaos.inject.FaultStats;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The proxy's admin API as the chaos API's injectors use it: put a fault under the experiment id,
 * delete it (idempotent, from a token in a new process too), and per-fault figures refreshed in
 * the background so {@link #stats} never blocks. A message fault's counters ({@link #COUNTERS})
 * become top-level keys of the figures; after the delete they keep the final values.
 *
 * <p>PUT and DELETE go through {@link AdminHttp}: one keep-alive connection per proxy, each
 * exchange on the calling thread with a deadline (the JDK {@code HttpClient} spent about 1 ms of a
 * 1.5 ms call handing the exchange between its threads). The background {@code /stats} refresh
 * keeps {@code HttpClient.sendAsync}, which is what it needs.
 */
final class ProxyAdminClient {
    static final List<String> COUNTERS = List.of("matched", "delayed", "dropped", "duplicated", "reordered");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long STATS_REFRESH_NANOS = 500_000_000L;

    private final URI adminUrl;
    private final HttpClient http;
    /** one admin connection per proxy URL (a token may name another proxy than this one) */
    private final Map<URI, AdminHttp> admin = new ConcurrentHashMap<>();
    private final Map<String, JsonObject> lastStats = new ConcurrentHashMap<>();
    private final Map<String, JsonObject> finalCounters = new ConcurrentHashMap<>();
    /** The fault as put (kept after the delete): stats show it before the first refresh and after the end. */
    private final Map<String, JsonObject> putFaults = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile long lastRefresh;

    ProxyAdminClient(URI adminUrl) {
        this.adminUrl = stripSlash(adminUrl);
        // HTTP/1.1: the default HTTP/2 attempt (h2c upgrade) is wasted on the JDK server
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    URI adminUrl() {
        return adminUrl;
    }

    /** PUT /faults/{id}; the revert token. */
    JsonObject put(String id, ProxyFault fault) throws IOException, InterruptedException {
        AdminHttp.Response r = admin(adminUrl).send("PUT", faultPath(id), fault.toJson().encode());
        if (r.status() != 200) {
            throw new IOException("proxy " + adminUrl + " refused fault " + id + ": " + r.status() + " " + r.body());
        }
        finalCounters.remove(id);
        putFaults.put(id, fault.toJson());
        return new JsonObject().put("admin_url", adminUrl.toString()).put("fault_id", id);
    }

    /**
     * DELETE /faults/{id} at the token's proxy (or this one, under {@code id}, with a null token).
     *
     * @return the proxy's answer {@code {id, removed, counters?}}
     */
    JsonObject delete(String id, JsonObject token) throws IOException, InterruptedException {
        URI base = adminUrl;
        String fid = id;
        if (token != null) {
            base = stripSlash(URI.create(token.getString("admin_url", adminUrl.toString())));
            fid = token.getString("fault_id", id);
        }
        AdminHttp.Response r = admin(base).send("DELETE", faultPath(fid), null);
        if (r.status() != 200) {
            throw new IOException("proxy " + base + " did not remove fault " + fid + ": " + r.status() + " " + r.body());
        }
        JsonObject body = new JsonObject(r.body());
        JsonObject counters = body.getJsonObject("counters");
        if (counters != null) {
            finalCounters.put(id, counters);
        }
        lastStats.remove(id);
        return body.put("admin_url", base.toString());
    }

    /** {@link #stats(String)} with the fault's message counters typed (null before the proxy reported them). */
    FaultStats faultStats(String id) {
        JsonObject s = stats(id);
        return new FaultStats(s, counts(s), null, null);
    }

    /** The counters of a message fault in the proxy's figures ({@code matched}, ...), or null: none yet. */
    static FaultStats.MessageCounts counts(JsonObject s) {
        if (s == null || !(s.getValue("matched") instanceof Number)) {
            return null;
        }
        return new FaultStats.MessageCounts(s.getLong("matched"), s.getLong("delayed", 0L),
                s.getLong("dropped", 0L), s.getLong("duplicated", 0L), s.getLong("reordered", 0L));
    }

    /** Last known proxy figures for this fault: {proxy, fault, proxy_stats, as_of} and its counters. */
    JsonObject stats(String id) {
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
        JsonObject s = lastStats.get(id);
        JsonObject out = s == null ? new JsonObject().put("proxy", adminUrl.toString()) : s.copy();
        JsonObject applied = putFaults.get(id);
        if (applied != null && !out.containsKey("fault")) {
            out.put("fault", applied.copy());
        }
        if (s == null && applied != null && applied.getValue("subject") != null) {
            COUNTERS.forEach(k -> out.put(k, 0L)); // a message fault before the first refresh: nothing counted yet
        }
        JsonObject fin = finalCounters.get(id);
        if (fin != null) {
            COUNTERS.forEach(k -> out.put(k, fin.getLong(k, 0L)));
            out.put("counters_final", true);
        }
        return out;
    }

    private void cache(JsonObject proxyStats) {
        JsonObject faults = proxyStats.getJsonObject("faults", new JsonObject());
        JsonObject counters = proxyStats.getJsonObject("message_counters", new JsonObject());
        JsonObject common = proxyStats.copy();
        common.remove("faults");
        common.remove("message_counters");
        lastStats.keySet().retainAll(faults.fieldNames());
        for (String id : faults.fieldNames()) {
            JsonObject s = new JsonObject()
                    .put("proxy", adminUrl.toString())
                    .put("fault", faults.getJsonObject(id))
                    .put("proxy_stats", common)
                    .put("as_of", Instant.now().toString());
            JsonObject c = counters.getJsonObject(id);
            if (c != null) {
                COUNTERS.forEach(k -> s.put(k, c.getLong(k, 0L)));
                s.put("unheld_over_budget", c.getLong("unheld_over_budget", 0L));
            }
            lastStats.put(id, s);
        }
    }

    private AdminHttp admin(URI base) {
        return admin.computeIfAbsent(base, b -> new AdminHttp(b, TIMEOUT));
    }

    private static String faultPath(String id) {
        return "/faults/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private static URI stripSlash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : u;
    }
}
