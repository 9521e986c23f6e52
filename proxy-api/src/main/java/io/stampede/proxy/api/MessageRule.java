package io.stampede.proxy.api;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What makes a {@link ProxyFault} act on NATS messages instead of bytes: which messages (subject
 * filter with {@code *} and {@code >}, optionally only one client's connections by the
 * {@code name} of its {@code CONNECT}) and what happens to each, besides the fault's delay.
 *
 * @param subject         NATS subject filter of {@code PUB}/{@code HPUB} (to_server) and
 *                        {@code MSG}/{@code HMSG} (to_client) frames
 * @param client          null = every connection, else only connections whose CONNECT name is this
 * @param dropRate        probability a matching frame is not forwarded
 * @param duplicateRate   probability a matching frame is forwarded twice (the same bytes)
 * @param reorderWindowMs a matching frame is held a uniform 0..window ms, independently of the
 *                        others, so frames within the window may overtake each other
 * @param seed            null = random; else every draw of this fault comes from a generator
 *                        seeded with it (exact counts for tests)
 */
public record MessageRule(String subject, String client, double dropRate, double duplicateRate,
                          int reorderWindowMs, Long seed) {

    public static final int MAX_REORDER_WINDOW_MS = 60_000;

    /** Every problem with {@code subject} as a NATS subject filter, empty when valid. */
    public static List<String> subjectProblems(String s) {
        List<String> p = new ArrayList<>();
        if (s == null || s.isEmpty()) {
            p.add("subject must not be empty");
            return p;
        }
        if (s.length() > 1024) {
            p.add("subject must be at most 1024 characters");
        }
        String[] parts = s.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            String t = parts[i];
            if (t.isEmpty()) {
                p.add("subject '" + s + "' has an empty token");
                break;
            }
            if (t.chars().anyMatch(c -> c <= ' ' || c == 127)) {
                p.add("subject '" + s + "' contains whitespace or control characters");
                break;
            }
            if (t.contains(">") && (!t.equals(">") || i != parts.length - 1)) {
                p.add("'>' must be the whole last token of subject '" + s + "'");
                break;
            }
            if (t.contains("*") && !t.equals("*")) {
                p.add("'*' must be a whole token of subject '" + s + "'");
                break;
            }
        }
        return p;
    }

    public List<String> validate() {
        List<String> p = new ArrayList<>(subjectProblems(subject));
        if (client != null && client.isBlank()) {
            p.add("client must not be blank (omit it for every connection)");
        }
        if (!(dropRate >= 0 && dropRate <= 1)) {
            p.add("drop_rate must be in 0..1");
        }
        if (!(duplicateRate >= 0 && duplicateRate <= 1)) {
            p.add("duplicate_rate must be in 0..1");
        }
        if (reorderWindowMs < 0 || reorderWindowMs > MAX_REORDER_WINDOW_MS) {
            p.add("reorder_window_ms must be in 0.." + MAX_REORDER_WINDOW_MS);
        }
        return p;
    }

    void writeTo(JsonObject j) {
        j.put("subject", subject);
        if (client != null) {
            j.put("client", client);
        }
        j.put("drop_rate", dropRate).put("duplicate_rate", duplicateRate).put("reorder_window_ms", reorderWindowMs);
        if (seed != null) {
            j.put("seed", seed);
        }
    }
}
