package io.stampede.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The business ids Stampede puts in its signals: {@code <run prefix>-<10-digit sequence>}, e.g.
 * {@code r4k2x9-0000012345}. The prefix tells one run's outcomes from another's; the sequence
 * number lets the verifier index bit sets instead of keeping a set of strings.
 */
public final class SignalIds {
    /**
     * Digits of the sequence part: 10^10 messages in one run (5.5 h at 500k msg/s). Ten, not more,
     * so that a 128-byte payload still holds a whole JSON signal.
     */
    public static final int SEQ_DIGITS = 10;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private SignalIds() {}

    /** A fresh 6-character run prefix starting with a letter. */
    public static String newRunPrefix() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder("r");
        for (int i = 0; i < 5; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    public static String format(String runPrefix, long seq) {
        String digits = Long.toString(seq);
        StringBuilder sb = new StringBuilder(runPrefix.length() + 1 + SEQ_DIGITS).append(runPrefix).append('-');
        for (int i = digits.length(); i < SEQ_DIGITS; i++) {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    /**
     * The sequence number of an id of this run, or -1 when the id belongs to another run or is
     * not a Stampede id. Reads bytes in place: no allocation.
     */
    public static long parse(byte[] prefixBytes, byte[] buf, int from, int to) {
        int p = prefixBytes.length;
        if (to - from != p + 1 + SEQ_DIGITS) {
            return -1;
        }
        for (int i = 0; i < p; i++) {
            if (buf[from + i] != prefixBytes[i]) {
                return -1;
            }
        }
        if (buf[from + p] != '-') {
            return -1;
        }
        long v = 0;
        for (int i = from + p + 1; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    public static long parse(String runPrefix, String id) {
        if (id == null) {
            return -1;
        }
        byte[] b = id.getBytes(StandardCharsets.US_ASCII);
        return parse(runPrefix.getBytes(StandardCharsets.US_ASCII), b, 0, b.length);
    }
}
