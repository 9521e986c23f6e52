package io.stampede.proxy;

import io.stampede.proxy.api.MessageRule;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A NATS subject filter ({@code orders.*.created}, {@code orders.>}) compiled once into a byte
 * matcher that walks the subject where it lies (in the connection's ring, wrap-aware): no copy, no
 * String, no token arrays per message. {@code *} matches exactly one token, {@code >} (last token
 * only) one or more.
 *
 * <p>Cheapest checks first: the subject's length against the shortest (or, without wildcards,
 * the only) length the filter accepts, then the filter's literal prefix (every byte up to its first
 * wildcard, dots included) byte by byte, so most subjects that do not match are rejected at their
 * first byte or by their length; only then the tokens from the first wildcard on.
 */
final class SubjectFilter {
    private final String text;
    private final byte[][] tokens; // null = '*'
    private final boolean rest;    // ends with '>'
    /** the filter's bytes before its first wildcard token (with the dot after the last literal) */
    private final byte[] prefix;
    /** index in {@link #tokens} of the first '*', or tokens.length */
    private final int firstWild;
    /** no wildcard at all: the subject must be exactly {@link #prefix} */
    private final boolean literal;
    private final int minLen;

    private SubjectFilter(String text, byte[][] tokens, boolean rest) {
        this.text = text;
        this.tokens = tokens;
        this.rest = rest;
        int fw = 0;
        while (fw < tokens.length && tokens[fw] != null) {
            fw++;
        }
        this.firstWild = fw;
        this.literal = !rest && fw == tokens.length;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < fw; i++) {
            b.writeBytes(tokens[i]);
            if (i < tokens.length - 1 || rest) {
                b.write('.');
            }
        }
        this.prefix = b.toByteArray();
        int min = Math.max(0, tokens.length - 1); // the dots between tokens
        for (byte[] t : tokens) {
            min += t == null ? 1 : t.length;
        }
        if (rest) {
            min += tokens.length == 0 ? 1 : 2; // ".x" (or "x" for '>' alone)
        }
        this.minLen = min;
    }

    /** Every problem with {@code s} as a filter, empty when valid (the rules are the admin API's). */
    static List<String> problems(String s) {
        return MessageRule.subjectProblems(s);
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

    /** Whether the subject in {@code b[off, off+len)} matches (tests). */
    boolean matches(byte[] b, int off, int len) {
        return matches(java.nio.ByteBuffer.wrap(b), -1, off, off + len);
    }

    /**
     * Whether the subject at stream position {@code pos} of {@code b} matches: it ends at its
     * first blank (space or tab) or at {@code limit}, whichever comes first; byte i is at index
     * {@code (pos + i) & mask} (a ring; {@code mask = -1} for a plain buffer). Reads the subject
     * only as far as it takes to tell: usually one byte when the literal prefix differs.
     */
    boolean matches(java.nio.ByteBuffer b, int mask, long pos, long limit) {
        byte[] pre = prefix;
        if (limit - pos < Math.max(minLen, pre.length)) {
            return false;
        }
        for (int i = 0; i < pre.length; i++) {
            if (b.get((int) ((pos + i) & mask)) != pre[i]) {
                return false; // a blank never equals a filter byte: a shorter subject ends here too
            }
        }
        long p = pos + pre.length;
        if (literal) {
            return p == limit || blank(b.get((int) (p & mask)));
        }
        for (int t = firstWild; t < tokens.length; t++) {
            long q = p;
            int c = 0;
            while (q < limit && (c = b.get((int) (q & mask))) != '.' && !blank(c)) {
                q++;
            }
            if (q == p) {
                return false; // empty token, or the subject ended before it
            }
            byte[] tok = tokens[t];
            if (tok != null) {
                if (q - p != tok.length) {
                    return false;
                }
                for (int i = 0; i < tok.length; i++) {
                    if (b.get((int) ((p + i) & mask)) != tok[i]) {
                        return false;
                    }
                }
            }
            boolean ended = q == limit || c != '.';
            if (ended) {
                return t == tokens.length - 1 && !rest;
            }
            p = q + 1; // past the dot
        }
        if (rest) {
            return p < limit && !blank(b.get((int) (p & mask))); // one or more tokens follow
        }
        return false; // more tokens than the filter has
    }

    private static boolean blank(int c) {
        return c == ' ' || c == '\t';
    }

    @Override
    public String toString() {
        return text;
    }
}
