package io.stampede.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Finds NATS client-protocol frames in one direction of a connection, incrementally: bytes come
 * in whatever pieces TCP reads return, a frame may be split at any byte.
 *
 * <p>A frame is a control line ({@code ...\r\n}) and, for {@code PUB}, {@code HPUB}, {@code MSG},
 * {@code HMSG}, the payload (headers included) and its trailing {@code \r\n} whose size the line
 * states. {@code INFO}, {@code CONNECT}, {@code PING}, {@code PONG}, {@code +OK}, {@code -ERR},
 * {@code SUB}, {@code UNSUB} and anything unknown are one-line frames of kind {@link #OTHER}.
 * A control line that arrives whole in one read is read where it lies in the ring: its end found
 * eight bytes at a time, the op from one int, the size from its last digits and, when frames are
 * reported, the subject's position and length (no copy; {@link #subjectMatches} walks it in
 * place). Only a line split across reads, or one of another kind ({@code CONNECT}, {@code INFO},
 * ...), is copied into a reused buffer (it grows, rarely, up to {@link #MAX_LINE}) and tokenised.
 * Payload bytes are only counted, never copied. Nothing is allocated per frame.
 *
 * <p>TLS: a client whose first byte is a TLS record (0x16, {@code handshake_first}) or a server
 * whose {@code INFO} says {@code "tls_required":true} turns the parser {@link #opaque()}: from
 * then on both directions of that connection pass through as bytes, untouched and unparsed.
 * A line longer than {@link #MAX_LINE} or a size that does not parse also turns it opaque (the
 * bytes still pass; only message faults stop applying to that connection).
 */
final class NatsParser {
    static final int OTHER = 0;
    static final int PUB = 1;
    static final int HPUB = 2;
    static final int MSG = 3;
    static final int HMSG = 4;
    static final int MAX_LINE = 64 * 1024;
    /** bytes copied per step while looking for the end of a control line */
    private static final int COPY = 64;

    private static final int LINE = 0;
    private static final int BODY = 1;
    private static final int OPAQUE = 2;
    private static final byte[] TLS_REQUIRED = "\"tls_required\":true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NAME = "\"name\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OP_PUB = ascii("PUB");
    private static final byte[] OP_HPUB = ascii("HPUB");
    private static final byte[] OP_MSG = ascii("MSG");
    private static final byte[] OP_HMSG = ascii("HMSG");
    private static final byte[] OP_INFO = ascii("INFO");
    private static final byte[] OP_CONNECT = ascii("CONNECT");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Receives each complete frame; the subject is readable through the parser during the call. */
    interface Sink {
        void frame(int kind, long start, long end);
    }

    /** Told once about what the parser learnt from the handshake. */
    interface Listener {
        void clientName(String name);

        void tls();
    }

    private final Listener listener;
    private int state = LINE;
    private byte[] line = new byte[512];
    private int lineLen;
    private long frameStart;
    private long bodyLeft;
    private long seen;
    private int kind;
    /** where the reported frame's subject is: ring positions, or offsets in {@link #line} */
    private long subjPos;
    /** the subject's length, or -1 for "up to its first blank before {@link #subjLimit}" (in the ring) */
    private int subjLen;
    private long subjLimit;
    /** set by {@link #sizeBefore}: the position of the blank before the size */
    private long sizeBlank;
    private boolean subjInLine;
    private ByteBuffer lineView = ByteBuffer.wrap(line);
    /** the ring of the scan in progress (for the sink's calls) */
    private ByteBuffer ring;
    private int ringMask;
    private final int[] tokStart = new int[7];
    private final int[] tokEnd = new int[7];

    NatsParser(Listener listener) {
        this.listener = listener;
    }

    boolean opaque() {
        return state == OPAQUE;
    }

    void goOpaque() {
        state = OPAQUE;
    }

    /** Stream position where the frame not yet complete began (= end of the last complete frame). */
    long frameStart() {
        return frameStart;
    }

    /** The bytes of this direction moved by {@code delta} positions (a frame was cut out before). */
    void rebase(long delta) {
        frameStart += delta;
        if (!subjInLine) {
            subjPos += delta; // the subject of a frame still in the ring moved with it
            subjLimit += delta;
        }
    }

    /** Whether the subject of the frame being reported (during {@link Sink#frame}) matches {@code f}. */
    boolean subjectMatches(SubjectFilter f) {
        return subjInLine ? f.matches(lineView, -1, subjPos, subjPos + subjLen) : f.matches(ring, ringMask, subjPos, subjLimit);
    }

    /** Subject of the frame being reported, as a String (tests and logs only: allocates). */
    String subject() {
        if (subjInLine) {
            return new String(line, (int) subjPos, subjLen, StandardCharsets.UTF_8);
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (long i = subjPos; i < subjLimit && !blank(ring.get((int) (i & ringMask))); i++) {
            b.write(ring.get((int) (i & ringMask)));
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /**
     * Scans the stream positions {@code [from, to)} of {@code ring} (index = position & mask).
     *
     * @param sink null to only keep track (pass-through): no call per frame
     */
    void scan(ByteBuffer ring, int mask, long from, long to, Sink sink) {
        ring.limit(ring.capacity()); // absolute bulk reads check against the limit
        this.ring = ring;
        this.ringMask = mask;
        long p = from;
        while (p < to) {
            if (state == OPAQUE) {
                frameStart = to;
                return;
            }
            if (state == BODY) {
                long n = Math.min(bodyLeft, to - p);
                p += n;
                bodyLeft -= n;
                if (bodyLeft == 0) {
                    long start = frameStart;
                    frameStart = p;
                    state = LINE;
                    lineLen = 0;
                    if (sink != null) {
                        sink.frame(kind, start, p);
                    }
                }
                continue;
            }
            if (seen == 0) {
                seen = 1;
                if (ring.get((int) (p & mask)) == 0x16) {
                    toOpaque(true);
                    continue;
                }
            }
            if (lineLen == 0) {
                // the line starts in this piece: find its end in place
                long q = findNewline(ring, mask, p, to);
                if (q < to) {
                    int k = quickKind(ring, mask, p);
                    if (k != OTHER) {
                        // a message line, whole in the ring: read it in place, no copy
                        long size = sink == null
                                ? sizeBefore(ring, mask, p, q) // pass-through: the size is all that is needed
                                : lineInPlace(ring, mask, p, q, k);
                        if (size >= 0) {
                            kind = k;
                            bodyLeft = size + 2;
                            state = BODY;
                            p = q + 1;
                            continue;
                        }
                        // malformed: the copy below finds out what (and turns opaque)
                    }
                    int len = (int) (q + 1 - p);
                    if (len > MAX_LINE) {
                        toOpaque(false);
                        continue;
                    }
                    if (len > line.length) {
                        line = new byte[Math.min(MAX_LINE, Math.max(len, line.length * 4))];
                        lineView = ByteBuffer.wrap(line);
                    }
                    int idx = (int) (p & mask);
                    int first = Math.min(len, mask + 1 - idx);
                    ring.get(idx, line, 0, first);
                    if (first < len) {
                        ring.get(0, line, first, len - first);
                    }
                    lineLen = len;
                    p = q + 1;
                    endOfFrameLine(p, sink);
                    continue;
                }
            }
            // a line split across reads: copy it piece by piece, then look for '\n'
            if (lineLen == line.length) {
                if (line.length >= MAX_LINE) {
                    toOpaque(false);
                    continue;
                }
                line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 4));
                lineView = ByteBuffer.wrap(line);
            }
            int idx = (int) (p & mask);
            int n = (int) Math.min(Math.min(to - p, line.length - lineLen), Math.min(COPY, mask + 1 - idx));
            ring.get(idx, line, lineLen, n);
            int from0 = lineLen;
            int end = from0 + n;
            int nl = -1;
            for (int i = from0; i < end; i++) {
                if (line[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            if (nl < 0) {
                lineLen = end;
                p += n;
                continue;
            }
            lineLen = nl + 1;
            p += lineLen - from0; // bytes after the '\n' stay in the ring for the body or next line
            endOfFrameLine(p, sink);
        }
    }

    /** A whole control line is in {@code line}, ending before stream position {@code p}. */
    private void endOfFrameLine(long p, Sink sink) {
        int k = endOfLine();
        if (state == OPAQUE) {
            return;
        }
        if (k == OTHER) {
            long start = frameStart;
            frameStart = p;
            lineLen = 0;
            if (sink != null) {
                sink.frame(OTHER, start, p);
            }
        } else {
            kind = k;
            state = BODY;
        }
    }

    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final int PUB_ = ('P' << 24) | ('U' << 16) | ('B' << 8); // "PUB " with case bits cleared
    private static final int MSG_ = ('M' << 24) | ('S' << 16) | ('G' << 8);
    private static final int UPPER = ~0x20202020;

    /**
     * Position of the first '\n' in {@code [p, to)}, or {@code to}: eight bytes at a time (a zero
     * byte test on {@code word ^ 0x0A..}) where they do not wrap around the ring's end.
     */
    private static long findNewline(ByteBuffer ring, int mask, long p, long to) {
        int cap = mask + 1;
        long q = p;
        while (q < to) {
            int idx = (int) (q & mask);
            if (to - q >= 8 && idx + 8 <= cap) {
                long x = ring.getLong(idx) ^ NEWLINES; // big-endian: the first byte is the highest
                long hit = (x - ONES) & ~x & HIGHS;
                if (hit == 0) {
                    q += 8;
                    continue;
                }
                long at = q + (Long.numberOfLeadingZeros(hit) >>> 3);
                if (ring.get((int) (at & mask)) == '\n') {
                    return at;
                }
                // a borrow flagged a byte before the real '\n' (0x0B there): go byte by byte
                while (ring.get((int) (q & mask)) != '\n') {
                    q++;
                }
                return q;
            }
            if (ring.get(idx) == '\n') {
                return q;
            }
            q++;
        }
        return to;
    }

    /** PUB, HPUB, MSG, HMSG (any case) followed by a blank at ring position {@code p}, else OTHER. */
    private static int quickKind(ByteBuffer ring, int mask, long p) {
        int idx = (int) (p & mask);
        if (idx + 4 <= mask + 1) {
            int w = ring.getInt(idx) & UPPER; // a space after the op becomes 0 like the case bit
            if (w == PUB_) {
                return PUB;
            }
            if (w == MSG_) {
                return MSG;
            }
        }
        int c0 = ring.get((int) (p & mask)) & ~0x20;
        int c1 = ring.get((int) ((p + 1) & mask)) & ~0x20;
        int c2 = ring.get((int) ((p + 2) & mask)) & ~0x20;
        int c3 = ring.get((int) ((p + 3) & mask));
        if (c0 == 'P' && c1 == 'U' && c2 == 'B' && blank(c3)) {
            return PUB;
        }
        if (c0 == 'M' && c1 == 'S' && c2 == 'G' && blank(c3)) {
            return MSG;
        }
        if (c0 == 'H' && blank(ring.get((int) ((p + 4) & mask)))) {
            c3 &= ~0x20;
            if (c1 == 'P' && c2 == 'U' && c3 == 'B') {
                return HPUB;
            }
            if (c1 == 'M' && c2 == 'S' && c3 == 'G') {
                return HMSG;
            }
        }
        return OTHER;
    }

    private static boolean blank(int c) {
        return c == ' ' || c == '\t';
    }

    /**
     * A message line {@code [p, nl]} of kind {@code k} where it lies in the ring: notes where its
     * subject starts and the bound it ends before (the blank before the size: the subject ends at
     * its first blank, found only if a filter gets that far) and returns the size from the line's
     * last digits, or -1 when there is none or no subject before it: the caller then copies and
     * tokenises the line, which turns opaque. Touches the op, one byte after it and the size digits.
     */
    private long lineInPlace(ByteBuffer ring, int mask, long p, long nl, int k) {
        long size = sizeBefore(ring, mask, p, nl);
        if (size < 0) {
            return -1;
        }
        long e = sizeBlank;
        long s = p + (k == PUB || k == MSG ? 4 : 5); // quickKind saw a blank before s
        while (s < e && blank(ring.get((int) (s & mask)))) {
            s++;
        }
        if (s >= e) {
            return -1; // no subject before the size
        }
        subjPos = s;
        subjLen = -1;
        subjLimit = e;
        subjInLine = false;
        return size;
    }

    /**
     * The number that ends the line {@code [p, nl]} (the total size), or -1 if there is none; sets
     * {@link #sizeBlank} to the position of the blank before it. Usually from one 8-byte read
     * ending at the '\n' (" 65535\r\n" fits), digits taken from the register.
     */
    private long sizeBefore(ByteBuffer ring, int mask, long p, long nl) {
        long first = nl - 7;
        int idx = (int) (first & mask);
        if (first > p && idx + 8 <= mask + 1) {
            long x = ring.getLong(idx); // big-endian: the '\n' is the lowest byte
            int sh = ((x >>> 8) & 0xFF) == '\r' ? 16 : 8;
            long size = 0;
            long mult = 1;
            int c = (int) (x >>> sh) & 0xFF;
            while (c >= '0' && c <= '9') {
                size += (c - '0') * mult;
                mult *= 10;
                sh += 8;
                if (sh == 64) {
                    break; // more digits than the word holds: byte by byte below
                }
                c = (int) (x >>> sh) & 0xFF;
            }
            if (sh < 64 && mult > 1 && blank(c)) {
                sizeBlank = nl - (sh >>> 3);
                return size;
            }
            if (sh < 64 && c != ' ' && c != '\t' && c != '\r') {
                return -1; // no digits, or not a blank before them (trailing blanks: below)
            }
        }
        long e = nl - 1;
        if (e > p && ring.get((int) (e & mask)) == '\r') {
            e--;
        }
        while (e > p && blank(ring.get((int) (e & mask)))) {
            e--;
        }
        long size = 0;
        long mult = 1;
        long digits = 0;
        while (e > p) {
            int d = ring.get((int) (e & mask)) - '0';
            if (d < 0 || d > 9) {
                break;
            }
            size += d * mult;
            mult *= 10;
            e--;
            if (++digits > 10) {
                return -1;
            }
        }
        sizeBlank = e;
        return digits == 0 || size > Integer.MAX_VALUE || !blank(ring.get((int) (e & mask))) ? -1 : size;
    }

    private void toOpaque(boolean notify) {
        state = OPAQUE;
        if (notify && listener != null) {
            listener.tls();
        }
    }

    /** A whole control line is in {@code line}: its kind; for messages sets the body size. */
    private int endOfLine() {
        int end = lineLen - 1; // the '\n'
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        int n = 0;
        int i = 0;
        while (i < end && n < tokStart.length) {
            while (i < end && (line[i] == ' ' || line[i] == '\t')) {
                i++;
            }
            if (i == end) {
                break;
            }
            tokStart[n] = i;
            while (i < end && line[i] != ' ' && line[i] != '\t') {
                i++;
            }
            tokEnd[n++] = i;
        }
        if (n == 0) {
            return OTHER;
        }
        int opLen = tokEnd[0] - tokStart[0];
        int o = tokStart[0];
        int k;
        int min;
        int max;
        if (opLen == 3 && is(o, OP_PUB)) {
            k = PUB;
            min = 3;
            max = 4;
        } else if (opLen == 4 && is(o, OP_HPUB)) {
            k = HPUB;
            min = 4;
            max = 5;
        } else if (opLen == 3 && is(o, OP_MSG)) {
            k = MSG;
            min = 4;
            max = 5;
        } else if (opLen == 4 && is(o, OP_HMSG)) {
            k = HMSG;
            min = 5;
            max = 6;
        } else {
            if (opLen == 4 && is(o, OP_INFO) && indexOf(TLS_REQUIRED, end) >= 0) {
                toOpaque(true);
            } else if (opLen == 7 && is(o, OP_CONNECT) && listener != null) {
                String name = jsonName(end);
                if (name != null) {
                    listener.clientName(name);
                }
            }
            return OTHER;
        }
        if (n < min || n > max) {
            toOpaque(false);
            return OTHER;
        }
        long size = 0;
        for (int j = tokStart[n - 1]; j < tokEnd[n - 1]; j++) {
            int d = line[j] - '0';
            if (d < 0 || d > 9 || size > Integer.MAX_VALUE) {
                toOpaque(false);
                return OTHER;
            }
            size = size * 10 + d;
        }
        subjPos = tokStart[1];
        subjLen = tokEnd[1] - tokStart[1];
        subjInLine = true;
        bodyLeft = size + 2;
        return k;
    }

    /** the op at {@code line[off]}, any case ({@code op} upper case: no varargs array per line) */
    private boolean is(int off, byte[] op) {
        for (int j = 0; j < op.length; j++) {
            if ((line[off + j] & ~0x20) != op[j]) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(byte[] needle, int end) {
        outer:
        for (int i = 0; i + needle.length <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (line[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private String jsonName(int end) {
        int i = indexOf(NAME, end);
        if (i < 0) {
            return null;
        }
        int s = i + NAME.length;
        int e = s;
        while (e < end && line[e] != '"') {
            e++;
        }
        return e < end ? new String(line, s, e - s, StandardCharsets.UTF_8) : null;
    }
}
