package io.stampede.proxy;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The faults active on one proxy, keyed by fault id. Writers are admin threads; the proxy loop
 * only reads the immutable {@link Plan} built on each change.
 */
final class FaultTable {

    /** What the loop applies: one policy per direction and whether to reset connections. */
    record Plan(ChunkPolicy toServer, ChunkPolicy toClient, boolean dropConnections) {
        static final Plan NONE = new Plan(ChunkPolicy.PASS_THROUGH, ChunkPolicy.PASS_THROUGH, false);
    }

    record Entry(ProxyFault fault, Instant appliedAt) {}

    private final Map<String, Entry> faults = new ConcurrentSkipListMap<>();

    synchronized Plan put(String id, ProxyFault fault) {
        Entry old = faults.get(id);
        faults.put(id, new Entry(fault, old != null && old.fault().equals(fault) ? old.appliedAt() : Instant.now()));
        return plan();
    }

    /** @return the new plan, or null when the id was not there (nothing changed) */
    synchronized Plan remove(String id) {
        return faults.remove(id) == null ? null : plan();
    }

    Entry get(String id) {
        return faults.get(id);
    }

    Map<String, Entry> snapshot() {
        return Map.copyOf(faults);
    }

    JsonObject toJson() {
        JsonObject j = new JsonObject();
        faults.forEach((id, e) -> j.put(id, e.fault().toJson().put("applied_at", e.appliedAt().toString())));
        return j;
    }

    private Plan plan() {
        if (faults.isEmpty()) {
            return Plan.NONE;
        }
        return new Plan(policy(true), policy(false), faults.values().stream().anyMatch(e -> e.fault().dropConnections()));
    }

    private ChunkPolicy policy(boolean toServer) {
        var applicable = faults.values().stream().map(Entry::fault)
                .filter(f -> toServer ? f.direction().toServer() : f.direction().toClient())
                .toList();
        long[] delays = applicable.stream().filter(f -> f.delayMs() > 0).mapToLong(f -> f.delayMs() * 1_000_000L).toArray();
        long[] jitters = applicable.stream().filter(f -> f.delayMs() > 0)
                .mapToLong(f -> (long) (f.jitterPct() * f.delayMs() * 1_000_000L)).toArray();
        long bandwidth = applicable.stream().mapToLong(ProxyFault::bandwidthKbps).filter(b -> b > 0).min().orElse(0);
        if (delays.length == 0 && bandwidth == 0) {
            return ChunkPolicy.PASS_THROUGH;
        }
        return new FaultPolicy(delays, jitters, bandwidth);
    }
}
