package io.stampede.proxy;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The faults active on one proxy, keyed by fault id. Writers are admin threads; the proxy loop
 * only reads the immutable {@link Plan} built on each change.
 */
final class FaultTable {

    /**
     * What the loop applies: one byte policy per direction, the message faults (each direction
     * filters by its own flag) and whether to reset connections.
     */
    record Plan(ChunkPolicy toServer, ChunkPolicy toClient, MessageFault[] messageFaults, boolean dropConnections) {
        static final Plan NONE = new Plan(ChunkPolicy.PASS_THROUGH, ChunkPolicy.PASS_THROUGH, new MessageFault[0], false);
    }

    /** @param runtime the loop's state of a message fault, null for a byte fault */
    record Entry(ProxyFault fault, Instant appliedAt, MessageFault runtime) {}

    private final Map<String, Entry> faults = new ConcurrentSkipListMap<>();

    synchronized Plan put(String id, ProxyFault fault) {
        Entry old = faults.get(id);
        boolean same = old != null && old.fault().equals(fault);
        MessageFault rt = same ? old.runtime() : fault.message() == null ? null : new MessageFault(id, fault);
        faults.put(id, new Entry(fault, same ? old.appliedAt() : Instant.now(), rt));
        return plan();
    }

    /** @return the removed entry and the new plan, or null when the id was not there */
    synchronized Removed remove(String id) {
        Entry e = faults.remove(id);
        return e == null ? null : new Removed(e, plan());
    }

    record Removed(Entry entry, Plan plan) {}

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
        List<MessageFault> mf = new ArrayList<>();
        for (Entry e : faults.values()) {
            if (e.runtime() != null) {
                mf.add(e.runtime());
            }
        }
        return new Plan(policy(true), policy(false), mf.toArray(new MessageFault[0]),
                faults.values().stream().anyMatch(e -> e.fault().dropConnections()));
    }

    private ChunkPolicy policy(boolean toServer) {
        var applicable = faults.values().stream().map(Entry::fault)
                .filter(f -> f.message() == null)
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
