package io.stampede.proxy;

import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The faults active on one proxy, keyed by fault id. Writers are admin threads; the proxy loop
 * only reads the immutable {@link Plan} built on each change and published through a volatile
 * ({@link #current}), in the order of the changes: copy on write, no lock on the loop's side.
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
    private volatile Plan current = Plan.NONE;

    /** The plan of the latest change: what the loop must run before it reads or accepts. */
    Plan current() {
        return current;
    }

    synchronized Plan put(String id, ProxyFault fault) {
        Entry old = faults.get(id);
        boolean same = old != null && old.fault().equals(fault);
        MessageFault rt = same ? old.runtime() : fault.message() == null ? null : new MessageFault(id, fault);
        faults.put(id, new Entry(fault, same ? old.appliedAt() : Instant.now(), rt));
        return current = plan();
    }

    /** @return the removed entry and the new plan, or null when the id was not there */
    synchronized Removed remove(String id) {
        Entry e = faults.remove(id);
        return e == null ? null : new Removed(e, current = plan());
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

    // plain loops, no streams: an admin call runs this cold (interpreted or C1) more often than not
    private Plan plan() {
        if (faults.isEmpty()) {
            return Plan.NONE;
        }
        List<MessageFault> mf = new ArrayList<>();
        boolean drop = false;
        for (Entry e : faults.values()) {
            if (e.runtime() != null) {
                mf.add(e.runtime());
            }
            drop |= e.fault().dropConnections();
        }
        return new Plan(policy(true), policy(false), mf.toArray(new MessageFault[0]), drop);
    }

    private ChunkPolicy policy(boolean toServer) {
        int n = 0;
        long[] delays = new long[faults.size()];
        long[] jitters = new long[delays.length];
        long bandwidth = 0;
        for (Entry e : faults.values()) {
            ProxyFault f = e.fault();
            if (f.message() != null || !(toServer ? f.direction().toServer() : f.direction().toClient())) {
                continue;
            }
            if (f.delayMs() > 0) {
                delays[n] = f.delayMs() * 1_000_000L;
                jitters[n++] = (long) (f.jitterPct() * f.delayMs() * 1_000_000L);
            }
            if (f.bandwidthKbps() > 0 && (bandwidth == 0 || f.bandwidthKbps() < bandwidth)) {
                bandwidth = f.bandwidthKbps();
            }
        }
        if (n == 0 && bandwidth == 0) {
            return ChunkPolicy.PASS_THROUGH;
        }
        return new FaultPolicy(java.util.Arrays.copyOf(delays, n), java.util.Arrays.copyOf(jitters, n), bandwidth);
    }
}
