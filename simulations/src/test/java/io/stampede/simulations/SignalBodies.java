package io.stampede.simulations;

import java.time.Instant;

/** Valid trading-signal JSON with a unique id, padded to a fixed size with a "pad" field. */
public final class SignalBodies {
    private static final String[] SYMBOLS = {"BTCUSD", "ETHUSD", "SOLUSD", "AAPL", "MSFT", "NVDA", "EURUSD", "XAUUSD"};
    private final String runTag;
    private final int payloadSize;

    public SignalBodies(String runTag, int payloadSize) {
        this.runTag = runTag;
        this.payloadSize = payloadSize;
    }

    public String id(long seq) {
        return "gat-" + runTag + "-" + seq;
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
