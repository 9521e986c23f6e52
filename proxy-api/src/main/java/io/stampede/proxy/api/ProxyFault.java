package io.stampede.proxy.api;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One fault held by the proxy, keyed by its id (the experiment id). Several faults may be active
 * at once: their delays add, the lowest bandwidth limit wins, any {@code dropConnections} resets.
 * With a {@link MessageRule} the fault acts per NATS message on the messages it matches (delay,
 * drop, duplicate, reorder) and never holds the others; without one it acts on bytes.
 *
 * @param delayMs         extra hold time of every chunk (or matching message), from its arrival
 * @param jitterPct       each chunk's delay is drawn uniformly in delay ± jitterPct·delay
 * @param direction       which way bytes are held
 * @param bandwidthKbps   0 = unlimited, else chunks are paced to this many kilobits per second
 * @param dropConnections reset every open connection on apply and every new one while active
 * @param expiresAt       null = until removed; else the proxy removes the fault by itself then
 * @param message         null = a byte fault; else which messages, and what else happens to them
 */
public record ProxyFault(int delayMs, double jitterPct, Direction direction, long bandwidthKbps,
                         boolean dropConnections, Instant expiresAt, MessageRule message) {

    /** A byte fault (no message rule). */
    public ProxyFault(int delayMs, double jitterPct, Direction direction, long bandwidthKbps,
                      boolean dropConnections, Instant expiresAt) {
        this(delayMs, jitterPct, direction, bandwidthKbps, dropConnections, expiresAt, null);
    }

    public static final int MAX_DELAY_MS = 600_000;

    public enum Direction {
        /** client → server (publishes reach the server late) */
        TO_SERVER,
        /** server → client (deliveries reach subscribers late) */
        TO_CLIENT,
        /** both ways */
        BOTH;

        public boolean toServer() {
            return this != TO_CLIENT;
        }

        public boolean toClient() {
            return this != TO_SERVER;
        }

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Direction parse(String s) {
            return Direction.valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** Every problem, empty when valid. */
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (delayMs < 0 || delayMs > MAX_DELAY_MS) {
            problems.add("delay_ms must be in 0.." + MAX_DELAY_MS);
        }
        if (!(jitterPct >= 0 && jitterPct <= 1)) {
            problems.add("jitter_pct must be in 0..1");
        }
        if (direction == null) {
            problems.add("direction must be to_server, to_client or both");
        }
        if (bandwidthKbps < 0) {
            problems.add("bandwidth_kbps must be >= 0 (0 = unlimited)");
        }
        if (message != null) {
            problems.addAll(message.validate());
            if (bandwidthKbps != 0 || dropConnections) {
                problems.add("bandwidth_kbps and drop_connections act on bytes: not with a subject");
            }
        }
        return problems;
    }

    /** Lenient on types, strict on values: call {@link #validate()} afterwards. */
    public static ProxyFault fromJson(JsonObject json) {
        List<String> problems = new ArrayList<>();
        int delay = intField(json, "delay_ms", 0, problems);
        double jitter = doubleField(json, "jitter_pct", 0, problems);
        Direction direction = Direction.TO_SERVER;
        Object d = json.getValue("direction");
        if (d != null) {
            try {
                direction = Direction.parse(d.toString());
            } catch (IllegalArgumentException e) {
                direction = null;
            }
        }
        long bandwidth = (long) doubleField(json, "bandwidth_kbps", 0, problems);
        boolean drop = Boolean.TRUE.equals(json.getValue("drop_connections"));
        Instant expires = null;
        Object e = json.getValue("expires_at");
        if (e != null) {
            try {
                expires = Instant.parse(e.toString());
            } catch (RuntimeException ex) {
                problems.add("expires_at must be an ISO-8601 instant");
            }
        }
        MessageRule message = null;
        Object subject = json.getValue("subject");
        if (subject != null) {
            Object client = json.getValue("client");
            Long seed = null;
            if (json.getValue("seed") != null) {
                double sd = doubleField(json, "seed", 0, problems);
                seed = (long) sd;
            }
            message = new MessageRule(subject.toString(), client == null ? null : client.toString(),
                    doubleField(json, "drop_rate", 0, problems), doubleField(json, "duplicate_rate", 0, problems),
                    intField(json, "reorder_window_ms", 0, problems), seed);
        } else {
            for (String k : new String[] {"client", "drop_rate", "duplicate_rate", "reorder_window_ms", "seed"}) {
                if (json.getValue(k) != null) {
                    problems.add(k + " needs a subject (message faults act on matching messages)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new ProxyFault(delay, jitter, direction, bandwidth, drop, expires, message);
    }

    public JsonObject toJson() {
        JsonObject j = new JsonObject()
                .put("delay_ms", delayMs)
                .put("jitter_pct", jitterPct)
                .put("direction", direction.json())
                .put("bandwidth_kbps", bandwidthKbps)
                .put("drop_connections", dropConnections);
        if (expiresAt != null) {
            j.put("expires_at", expiresAt.toString());
        }
        if (message != null) {
            message.writeTo(j);
        }
        return j;
    }

    private static int intField(JsonObject json, String name, int dflt, List<String> problems) {
        double v = doubleField(json, name, dflt, problems);
        if (v != Math.rint(v)) {
            problems.add(name + " must be an integer");
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    private static double doubleField(JsonObject json, String name, double dflt, List<String> problems) {
        Object v = json.getValue(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            problems.add(name + " must be a number");
            return dflt;
        }
    }
}
