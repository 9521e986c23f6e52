package io.stampede.reports;

import java.util.Locale;

/**
 * A verdict's status. A final verdict is {@code pass}, {@code fail} or {@code inconclusive}; a live
 * one is {@code pending}. Combining final statuses: {@code fail} beats {@code inconclusive} beats
 * {@code pass} ({@link #worst}). Combining a plan's steps: {@code pending} while any step is pending,
 * then the same precedence ({@link #combine}).
 */
public enum Status {
    PASS, FAIL, INCONCLUSIVE, PENDING;

    /** The JSON spelling: {@code pass}, {@code fail}, {@code inconclusive}, {@code pending}. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Status fromJson(String s) {
        for (Status v : values()) {
            if (v.json().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown status: " + s);
    }

    /** Rank for combining: pass 0 &lt; inconclusive 1 &lt; fail 2 &lt; pending 3. */
    private int rank() {
        return switch (this) {
            case PASS -> 0;
            case INCONCLUSIVE -> 1;
            case FAIL -> 2;
            case PENDING -> 3;
        };
    }

    /**
     * Final-status precedence: {@code fail} &gt; {@code inconclusive} &gt; {@code pass}. A pending
     * argument makes the result pending (a combination is not final while a part is not).
     */
    public static Status worst(Status a, Status b) {
        return a.rank() >= b.rank() ? a : b;
    }

    /** {@link #worst} over all; no parts at all is {@code inconclusive} (nothing was judged). */
    public static Status combine(Iterable<Status> parts) {
        Status s = null;
        for (Status p : parts) {
            s = s == null ? p : worst(s, p);
        }
        return s == null ? INCONCLUSIVE : s;
    }
}
