package io.stampede.simulations;

import java.time.Instant;

/**
 * Valid trading-signal JSON with a unique id, padded to a fixed size with a "pad" field. The id is
 * {@code <prefix>-<seq as 10 digits, zero-padded>} (the loadgen's SignalIds format), so a delivery
 * verifier with that prefix matches outcomes to sequence numbers with bit sets.
 */
public final class SignalBodies {
    /** Digits of the sequence part (SignalIds.SEQ_DIGITS). */
    public static final int SEQ_DIGITS = 10;
    private static final String[] SYMBOLS = {"BTCUSD", "ETHUSD", "SOLUSD", "AAPL", "MSFT", "NVDA", "EURUSD", "XAUUSD"};
    private final String runTag;
    private final int payloadSize;

    /** @param idPrefix the ids' prefix: the experiment id, or {@code gat-<run>} for a standalone run */
    public SignalBodies(String idPrefix, int payloadSize) {
        this.runTag = idPrefix;
        this.payloadSize = payloadSize;
    }

    public String idPrefix() {
        return runTag;
    }

    public String id(long seq) {
        return id(runTag, seq);
    }

    /** {@code <prefix>-<seq as 10 digits, zero-padded>}: the ids of the demo's bodies and of a system file's requests. */
    static String id(String prefix, long seq) {
        String digits = Long.toString(seq);
        StringBuilder sb = new StringBuilder(prefix.length() + 1 + SEQ_DIGITS).append(prefix).append('-');
        for (int i = digits.length(); i < SEQ_DIGITS; i++) {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    public String body(long seq, Instant sentAt) {
        StringBuilder sb = new StringBuilder(Math.max(256, payloadSize + 16));
        sb.append("{\"id\":\"").append(id(seq))
                .append("\",\"symbol\":\"").append(SYMBOLS[(int) (seq % SYMBOLS.length)])
                .append("\",\"side\":\"").append((seq & 1) == 0 ? "buy" : "sell")
                .append("\",\"price\":").append(100 + (seq % 1000) / 10.0)
                .append(",\"quantity\":").append(1 + seq % 5)
                .append(",\"seq\":").append(seq)
                .append(",\"sent_at\":\"").append(sentAt).append('"');
        // ,"pad":"" is 9 bytes and the closing brace 1: pad only if there is room.
        int room = payloadSize - sb.length() - 9 - 1;
        if (room >= 0) {
            sb.append(",\"pad\":\"");
            sb.append("x".repeat(room));
            sb.append('"');
        }
        sb.append('}');
        return sb.toString();
    }
}
