package io.stampede.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A NATS subject filter ({@code orders.*.created}, {@code orders.>}) compiled once, matched against
 * subject bytes in place: no String per message. {@code *} matches exactly one token, {@code >}
 * (last token only) one or more.
 */
final class SubjectFilter {
    private final String text;
    private final byte[][] tokens; // null = '*'
    private final boolean rest;    // ends with '>'

    private SubjectFilter(String text, byte[][] tokens, boolean rest) {
        this.text = text;
        this.tokens = tokens;
        this.rest = rest;
    }

    /** Every problem with {@code s} as a filter, empty when valid. */
    static List<String> problems(String s) {
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

    static SubjectFilter parse(String s) {
        List<String> p = problems(s);
        if (!p.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", p));
        }
        String[] parts = s.split("\\.", -1);
        boolean rest = parts[parts.length - 1].equals(">");
        int n = rest ? parts.length - 1 : parts.length;
        byte[][] tokens = new byte[n][];
        for (int i = 0; i < n; i++) {
            tokens[i] = parts[i].equals("*") ? null : parts[i].getBytes(StandardCharsets.UTF_8);
        }
        return new SubjectFilter(s, tokens, rest);
    }

    /** Whether the subject in {@code b[off, off+len)} matches. */
    boolean matches(byte[] b, int off, int len) {
        int end = off + len;
        int p = off;
        for (byte[] tok : tokens) {
            if (p > end) {
                return false; // the subject has fewer tokens
            }
            int q = p;
            while (q < end && b[q] != '.') {
                q++;
            }
            if (q == p) {
                return false; // empty token
            }
            if (tok != null) {
                if (q - p != tok.length) {
                    return false;
                }
                for (int i = 0; i < tok.length; i++) {
                    if (b[p + i] != tok[i]) {
                        return false;
                    }
                }
            }
            p = q + 1; // past the dot, or end + 1 after the last token
        }
        return rest ? p < end : p == end + 1;
    }

    @Override
    public String toString() {
        return text;
    }
}
