package io.stampede.loadgen.internal;

import io.stampede.loadgen.SignalIds;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Pre-rendered signal bodies, one per (symbol, side), with fixed-width slots for the values that
 * change per message, so a message is one array copy plus three digit writes:
 *
 * <pre>{"id":"r4k2x9-0000000042","seq":        42,"sent_at":1764180000123456,"symbol":"AAPL","side":"buy","price":101.5,"quantity":10,"pad":"xxxx"}</pre>
 *
 * With the default 4-character symbols a 128-byte payload is still a JSON signal.
 *
 * Numbers are right-aligned with leading spaces (valid JSON whitespace). When the requested size
 * is smaller than the JSON signal, the payload is the zero-padded sequence number in ASCII
 * digits instead (throughput benchmarks at 16 B); such payloads are not JSON.
 */
public final class PayloadTemplate {
    private static final int SEQ_WIDTH = io.stampede.system.Template.SEQ_WIDTH;
    private static final int SENT_AT_WIDTH = io.stampede.system.Template.SENT_AT_WIDTH;

    static {
        // the demo signal's seq is copied from the id's digits (write): one width for both
        if (SEQ_WIDTH != SignalIds.SEQ_DIGITS) {
            throw new IllegalStateException("{seq} width " + SEQ_WIDTH + " != id digits " + SignalIds.SEQ_DIGITS);
        }
    }

    private final int size;
    private final boolean json;
    private final byte[][] templates; // index: symbol * 2 + side
    private final int idDigitsOffset;
    private final int seqOffset;
    private final int sentAtOffset;
    private final int symbols;
    /**
     * A system file's body ({@code traffic.body}): per template the offsets of each slot, which
     * differ between templates when symbols differ in length; null for the demo signal.
     */
    private final int[][] idSlots;
    private final int[][] seqSlots;
    private final int[][] sentAtSlots;

    /** The demo's trading signal padded to {@code size} (or digits only below its minimum size). */
    public PayloadTemplate(String runPrefix, String[] symbolNames, int size) {
        this(runPrefix, symbolNames, size, null);
    }

    /**
     * {@code body}: a template with {@code {id} {seq} {sent_at} {symbol} {side} {pad}} (the system
     * file's {@code traffic.body}, see io.stampede.system.Template), or null for the demo signal.
     * With a body, {@code {pad}} fills up to {@code size}; every template is as long as the longest
     * (a body without {@code {pad}} whose symbols differ in length ends in spaces).
     */
    public PayloadTemplate(String runPrefix, String[] symbolNames, int size, String body) {
        this.symbols = symbolNames.length;
        if (body != null) {
            this.json = false;
            this.templates = new byte[symbols * 2][];
            this.idSlots = new int[symbols * 2][];
            this.seqSlots = new int[symbols * 2][];
            this.sentAtSlots = new int[symbols * 2][];
            int longest = 0;
            for (int s = 0; s < symbols; s++) {
                for (int side = 0; side < 2; side++) {
                    longest = Math.max(longest, fill(body, runPrefix, symbolNames[s], side, 0).length());
                }
            }
            boolean pad = body.contains("{pad}");
            int target = pad ? Math.max(size, longest) : longest;
            for (int s = 0; s < symbols; s++) {
                for (int side = 0; side < 2; side++) {
                    int ti = s * 2 + side;
                    String natural = fill(body, runPrefix, symbolNames[s], side, 0);
                    String text = pad ? fill(body, runPrefix, symbolNames[s], side, target - natural.length())
                            : natural + " ".repeat(target - natural.length());
                    templates[ti] = text.getBytes(StandardCharsets.UTF_8);
                    idSlots[ti] = slots(body, runPrefix, symbolNames[s], side, target - natural.length(), "{id}");
                    seqSlots[ti] = slots(body, runPrefix, symbolNames[s], side, target - natural.length(), "{seq}");
                    sentAtSlots[ti] = slots(body, runPrefix, symbolNames[s], side, target - natural.length(), "{sent_at}");
                }
            }
            this.size = templates[0].length;
            this.idDigitsOffset = -1;
            this.seqOffset = -1;
            this.sentAtOffset = -1;
            return;
        }
        this.idSlots = null;
        this.seqSlots = null;
        this.sentAtSlots = null;
        this.size = size;
        int natural = render(runPrefix, symbolNames[longest(symbolNames)], "sell", 0).length;
        this.json = size >= natural;
        templates = new byte[symbols * 2][];
        int idOff = -1, seqOff = -1, sentOff = -1;
        for (int s = 0; s < symbols; s++) {
            for (int side = 0; side < 2; side++) {
                byte[] t = json ? render(runPrefix, symbolNames[s], side == 0 ? "buy" : "sell", size) : digitsOnly(size);
                templates[s * 2 + side] = t;
                if (json) {
                    // the variable slots come before symbol and side, so their offsets are the same in every template
                    idOff = indexOf(t, ("\"id\":\"" + runPrefix + "-").getBytes(StandardCharsets.US_ASCII)) + 7 + runPrefix.length();
                    seqOff = indexOf(t, "\"seq\":".getBytes(StandardCharsets.US_ASCII)) + 6;
                    sentOff = indexOf(t, "\"sent_at\":".getBytes(StandardCharsets.US_ASCII)) + 10;
                }
            }
        }
        idDigitsOffset = idOff;
        seqOffset = seqOff;
        sentAtOffset = sentOff;
    }

    /** The smallest payload size that is still a JSON signal for these symbols. */
    public static int minimumJsonSize(String runPrefix, String[] symbolNames) {
        return render(runPrefix, symbolNames[longest(symbolNames)], "sell", 0).length;
    }

    public boolean isJson() {
        return json;
    }

    public int size() {
        return size;
    }

    /** Symbol index of message {@code seq}. */
    public int symbolOf(long seq) {
        return (int) (seq % symbols);
    }

    /** Writes message {@code seq}'s body into {@code out} (length {@link #size()}); returns its symbol index. */
    public int write(byte[] out, long seq, long sentAtEpochMicros) {
        return write(out, seq, sentAtEpochMicros, -1);
    }

    /** Which pre-rendered template message {@code seq} uses (symbol × side). */
    public int templateOf(long seq) {
        long round = seq / symbols;
        int sym = (int) (seq - round * symbols);
        return sym * 2 + (int) (round & 1);
    }

    /**
     * As {@link #write(byte[], long, long)}, for an array that already holds a body rendered from
     * template {@code held} (-1: unknown): when it is message {@code seq}'s template only the
     * variable slots (id, seq, sent_at: the first ~70 bytes) are rewritten, not the whole body. At
     * 1 KiB that is what keeps a pooled array's cache lines from being written (and fetched) again.
     */
    public int write(byte[] out, long seq, long sentAtEpochMicros, int held) {
        long round = seq / symbols;
        int sym = (int) (seq - round * symbols);
        int side = (int) (round & 1);
        if (idSlots != null) {
            return writeBody(out, seq, sentAtEpochMicros, held, sym, side);
        }
        if (!json) {
            // every byte is a digit written below
            writeDigitsZeroPadded(out, 0, size, seq);
            return sym;
        }
        int ti = sym * 2 + side;
        if (held != ti) {
            System.arraycopy(templates[ti], 0, out, 0, size);
        }
        writeDigitsZeroPadded(out, idDigitsOffset, SignalIds.SEQ_DIGITS, seq);
        // the seq field is the same digits without leading zeros (JSON numbers), right-aligned
        int lead = 0;
        while (lead < SEQ_WIDTH - 1 && out[idDigitsOffset + lead] == '0') {
            out[seqOffset + lead] = ' ';
            lead++;
        }
        System.arraycopy(out, idDigitsOffset + lead, out, seqOffset + lead, SEQ_WIDTH - lead);
        writeRightAligned(out, sentAtOffset, SENT_AT_WIDTH, sentAtEpochMicros);
        return sym;
    }

    private int writeBody(byte[] out, long seq, long sentAtEpochMicros, int held, int sym, int side) {
        int ti = sym * 2 + side;
        if (held != ti) {
            System.arraycopy(templates[ti], 0, out, 0, size);
        }
        for (int off : idSlots[ti]) {
            writeDigitsZeroPadded(out, off, SignalIds.SEQ_DIGITS, seq);
        }
        for (int off : seqSlots[ti]) {
            writeRightAligned(out, off, SEQ_WIDTH, seq);
        }
        for (int off : sentAtSlots[ti]) {
            writeRightAligned(out, off, SENT_AT_WIDTH, sentAtEpochMicros);
        }
        return sym;
    }

    /** The body with fixed-width stand-ins for the variable slots and {@code padding} x's for {pad}. */
    private static String fill(String body, String runPrefix, String symbol, int side, int padding) {
        return body.replace("{id}", runPrefix + "-" + "0".repeat(SignalIds.SEQ_DIGITS))
                .replace("{seq}", " ".repeat(SEQ_WIDTH - 1) + "0")
                .replace("{sent_at}", " ".repeat(SENT_AT_WIDTH - 1) + "0")
                .replace("{symbol}", symbol).replace("{side}", side == 0 ? "buy" : "sell")
                .replace("{pad}", "x".repeat(Math.max(0, padding)));
    }

    /**
     * Byte offsets where {@code slot}'s value starts in the filled body (for {id}, where its digits
     * start): found by filling the text before each occurrence.
     */
    private static int[] slots(String body, String runPrefix, String symbol, int side, int padding, String slot) {
        java.util.List<Integer> at = new java.util.ArrayList<>();
        int from = 0;
        int i;
        while ((i = body.indexOf(slot, from)) >= 0) {
            int off = fill(body.substring(0, i), runPrefix, symbol, side, padding).getBytes(StandardCharsets.UTF_8).length;
            at.add(slot.equals("{id}") ? off + runPrefix.length() + 1 : off);
            from = i + slot.length();
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int longest(String[] names) {
        int best = 0;
        for (int i = 1; i < names.length; i++) {
            if (names[i].length() > names[best].length()) {
                best = i;
            }
        }
        return best;
    }

    /** Variable slots come first so their offsets are the same in every template. */
    private static byte[] render(String runPrefix, String symbol, String side, int size) {
        String head = "{\"id\":\"" + runPrefix + "-" + "0".repeat(SignalIds.SEQ_DIGITS) + "\""
                + ",\"seq\":" + " ".repeat(SEQ_WIDTH - 1) + "0"
                + ",\"sent_at\":" + " ".repeat(SENT_AT_WIDTH - 1) + "0"
                + ",\"symbol\":\"" + symbol + "\""
                + ",\"side\":\"" + side + "\""
                + ",\"price\":101.5,\"quantity\":10";
        String minimal = head + "}";
        if (size <= minimal.length()) {
            return minimal.getBytes(StandardCharsets.US_ASCII);
        }
        String padOpen = ",\"pad\":\"";
        int room = size - minimal.length() - padOpen.length() - 1;
        String body = room >= 0
                ? head + padOpen + "x".repeat(room) + "\"}"
                : head + " ".repeat(size - minimal.length()) + "}";
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        if (b.length != size) {
            throw new IllegalStateException("template size " + b.length + " != " + size);
        }
        return b;
    }

    private static byte[] digitsOnly(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) '0');
        return b;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("template slot not found");
    }

    /** "00".."99": two digits per division (profiling showed digit writing at ~20 % of the publisher). */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    static void writeDigitsZeroPadded(byte[] out, int off, int width, long v) {
        int i = off + width;
        while (i - off >= 2) {
            int r = (int) (v % 100);
            v /= 100;
            out[--i] = PAIRS[2 * r + 1];
            out[--i] = PAIRS[2 * r];
        }
        if (i > off) {
            out[--i] = (byte) ('0' + (v % 10));
        }
    }

    static void writeRightAligned(byte[] out, int off, int width, long v) {
        if (v < 0) {
            v = 0;
        }
        int i = off + width;
        while (v >= 10 && i - off >= 2) {
            int r = (int) (v % 100);
            v /= 100;
            out[--i] = PAIRS[2 * r + 1];
            out[--i] = PAIRS[2 * r];
        }
        if (v > 0 && i > off) {
            out[--i] = (byte) ('0' + v);
        } else if (i == off + width) {
            out[--i] = '0';
        }
        while (i > off) {
            out[--i] = ' ';
        }
    }
}
