package io.stampede.proxy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NatsParserTest {

    record Frame(int kind, long start, long end, String subject) {}

    /** The frames of {@code stream} fed in pieces of the given sizes (the last size repeats). */
    static List<Frame> parse(byte[] stream, int... pieces) {
        int cap = Integer.highestOneBit(Math.max(16, stream.length)) << 1;
        ByteBuffer ring = ByteBuffer.allocateDirect(cap);
        ring.put(stream).clear();
        List<Frame> out = new ArrayList<>();
        NatsParser[] self = new NatsParser[1];
        NatsParser p = new NatsParser(null);
        self[0] = p;
        NatsParser.Sink sink = (kind, start, end) -> out.add(new Frame(kind, start, end,
                kind == NatsParser.OTHER ? null : self[0].subject()));
        long pos = 0;
        int k = 0;
        while (pos < stream.length) {
            int n = (int) Math.min(pieces[Math.min(k++, pieces.length - 1)], stream.length - pos);
            p.scan(ring, cap - 1, pos, pos + n, sink);
            pos += n;
        }
        return out;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] stream(int headerBytes, int payloadBytes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ascii("INFO {\"server_id\":\"x\",\"max_payload\":1048576}\r\n"));
        b.writeBytes(ascii("CONNECT {\"verbose\":false,\"name\":\"svc-a\"}\r\n"));
        b.writeBytes(ascii("PING\r\n"));
        b.writeBytes(ascii("PUB orders.eu.created 5\r\nhello\r\n"));
        b.writeBytes(ascii("pub lower.case _INBOX.abc 0\r\n\r\n"));
        String hdr = "NATS/1.0\r\n" + "X-Pad: " + "h".repeat(Math.max(0, headerBytes - 21)) + "\r\n\r\n";
        byte[] h = ascii(hdr);
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ("\r\nPUB x 1\r\n".charAt(i % 11)); // payloads that look like frames
        }
        b.writeBytes(ascii("HPUB hdr.subj reply.to " + h.length + " " + (h.length + payload.length) + "\r\n"));
        b.writeBytes(h);
        b.writeBytes(payload);
        b.writeBytes(ascii("\r\n"));
        b.writeBytes(ascii("MSG deliver.a 7 5\r\nworld\r\n"));
        b.writeBytes(ascii("MSG deliver.b 7 _INBOX.r 2\r\nok\r\n"));
        b.writeBytes(ascii("HMSG deliver.c 9 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"));
        b.writeBytes(ascii("+OK\r\n-ERR 'Unknown Protocol Operation'\r\nPONG\r\n"));
        return b.toByteArray();
    }

    static void assertFrames(List<Frame> f, byte[] s) {
        assertThat(f).extracting(Frame::kind).containsExactly(
                NatsParser.OTHER, NatsParser.OTHER, NatsParser.OTHER, NatsParser.PUB, NatsParser.PUB, NatsParser.HPUB,
                NatsParser.MSG, NatsParser.MSG, NatsParser.HMSG, NatsParser.OTHER, NatsParser.OTHER, NatsParser.OTHER);
        assertThat(f).extracting(Frame::subject).containsExactly(null, null, null, "orders.eu.created", "lower.case",
                "hdr.subj", "deliver.a", "deliver.b", "deliver.c", null, null, null);
        long prev = 0;
        for (Frame x : f) {
            assertThat(x.start()).isEqualTo(prev);
            prev = x.end();
        }
        assertThat(prev).isEqualTo(s.length);
    }

    @Test
    void framesSplitAtEveryByteBoundary() {
        byte[] s = stream(40, 300);
        assertFrames(parse(s, s.length), s);
        for (int cut = 1; cut < s.length; cut++) {
            assertFrames(parse(s, cut, s.length), s);
        }
        assertFrames(parse(s, 1), s);
        assertFrames(parse(s, 2), s);
        assertFrames(parse(s, 7), s);
    }

    /** Tracking only (pass-through: no sink, the fast path) up to {@code cut}, then reporting. */
    static List<Frame> parseFrom(byte[] stream, int cut, int piece) {
        int cap = Integer.highestOneBit(Math.max(16, stream.length)) << 1;
        ByteBuffer ring = ByteBuffer.allocateDirect(cap);
        ring.put(stream).clear();
        List<Frame> out = new ArrayList<>();
        NatsParser p = new NatsParser(null);
        NatsParser.Sink sink = (kind, start, end) -> out.add(new Frame(kind, start, end,
                kind == NatsParser.OTHER ? null : p.subject()));
        for (long pos = 0; pos < stream.length; ) {
            long end = Math.min(stream.length, pos < cut ? Math.min(cut, pos + piece) : pos + piece);
            p.scan(ring, cap - 1, pos, end, pos < cut ? null : sink);
            pos = end;
        }
        return out;
    }

    @Test
    void passThroughTrackingKeepsFrameBoundariesAtEverySplit() {
        byte[] s = stream(40, 300);
        List<Frame> all = parse(s, s.length);
        for (int cut = 0; cut <= s.length; cut++) {
            int c = cut;
            List<Frame> expected = all.stream().filter(f -> f.end() > c).toList();
            for (int piece : new int[] {1, 5, 64, s.length}) {
                List<Frame> got = parseFrom(s, cut, piece);
                assertThat(got).as("cut " + cut + " piece " + piece).hasSameSizeAs(expected);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i).end()).isEqualTo(expected.get(i).end());
                    assertThat(got.get(i).kind()).isEqualTo(expected.get(i).kind());
                    if (expected.get(i).start() >= cut) {
                        assertThat(got.get(i)).isEqualTo(expected.get(i));
                    }
                }
            }
        }
    }

    @Test
    void headersOfAnySizeAndLargePayloads() {
        for (int hdr : new int[] {24, 100, 4096, 70_000}) {
            byte[] s = stream(hdr, 10);
            assertFrames(parse(s, 1), s);
            assertFrames(parse(s, 997), s);
        }
        byte[] big = stream(64, 8 * 1024 * 1024);
        assertFrames(parse(big, 65536), big);
        assertFrames(parse(big, 1, 1000, 1 << 20), big);
    }

    @Test
    void tlsAndUnparseableLinesTurnOpaque() {
        List<String> events = new ArrayList<>();
        NatsParser.Listener l = new NatsParser.Listener() {
            @Override
            public void clientName(String name) {
                events.add("name=" + name);
            }

            @Override
            public void tls() {
                events.add("tls");
            }
        };
        ByteBuffer ring = ByteBuffer.allocateDirect(1024);
        byte[] info = ascii("INFO {\"tls_required\":true}\r\n\u0016\u0003\u0001garbage");
        ring.put(info).clear();
        NatsParser down = new NatsParser(l);
        List<Integer> kinds = new ArrayList<>();
        down.scan(ring, 1023, 0, info.length, (k, s, e) -> kinds.add(k));
        assertThat(down.opaque()).isTrue();
        assertThat(events).containsExactly("tls");
        assertThat(kinds).isEmpty(); // the INFO goes as bytes too, never reported
        assertThat(down.frameStart()).isEqualTo(info.length);

        NatsParser up = new NatsParser(l);
        ring.clear();
        ring.put(0, (byte) 0x16);
        up.scan(ring, 1023, 0, 1, null);
        assertThat(up.opaque()).isTrue();

        byte[] bad = ascii("CONNECT {\"name\":\"me\"}\r\nPUB a notanumber\r\n");
        ring.clear();
        ring.put(bad).clear();
        NatsParser p = new NatsParser(l);
        p.scan(ring, 1023, 0, bad.length, null);
        assertThat(p.opaque()).isTrue();
        assertThat(events).contains("name=me");
    }

    @Test
    void newlineSearchIsNotFooledByAVerticalTabBeforeTheNewline() {
        byte[] s = ascii("+OK\u000b\u000b\u000b\u000b\nPING\r\nPUB a.b 2\r\nhi\r\n");
        for (int piece : new int[] {s.length, 1, 3}) {
            assertThat(parse(s, piece)).containsExactly(new Frame(NatsParser.OTHER, 0, 8, null),
                    new Frame(NatsParser.OTHER, 8, 14, null), new Frame(NatsParser.PUB, 14, 29, "a.b"));
        }
    }

    @Test
    void subjectFilters() {
        assertThat(match("orders.*.created", "orders.eu.created")).isTrue();
        assertThat(match("orders.*.created", "orders.eu.x.created")).isFalse();
        assertThat(match("orders.*", "orders")).isFalse();
        assertThat(match("orders.>", "orders")).isFalse();
        assertThat(match("orders.>", "orders.a")).isTrue();
        assertThat(match("orders.>", "orders.a.b.c")).isTrue();
        assertThat(match(">", "x")).isTrue();
        assertThat(match("*", "x.y")).isFalse();
        assertThat(match("a.b", "a.b")).isTrue();
        assertThat(match("a.b", "a.bc")).isFalse();
        assertThat(match("a.b", "a.b.c")).isFalse();
        assertThat(match("a.b", "a")).isFalse();
        assertThat(match("a.*", "a.")).isFalse();
        assertThat(SubjectFilter.problems("a.>.b")).isNotEmpty();
        assertThat(SubjectFilter.problems("a..b")).isNotEmpty();
        assertThat(SubjectFilter.problems("a*")).isNotEmpty();
        assertThat(SubjectFilter.problems("")).isNotEmpty();
    }

    private static boolean match(String filter, String subject) {
        byte[] b = ascii("xx" + subject);
        boolean plain = SubjectFilter.parse(filter).matches(b, 2, b.length - 2);
        // the same subject in a ring, at every offset so it wraps around the ring's end: ending at
        // the limit, or at a blank before it (" _INBOX.r" as a reply would follow it)
        byte[] sb = ascii(subject);
        byte[] withReply = ascii(subject + " _INBOX.r\t7");
        int cap = Integer.highestOneBit(Math.max(8, withReply.length)) << 1;
        ByteBuffer ring = ByteBuffer.allocateDirect(cap);
        for (byte[] bytes : List.of(sb, withReply)) {
            for (int at = 0; at < cap; at++) {
                for (int i = 0; i < cap; i++) {
                    ring.put(i, (byte) '#');
                }
                for (int i = 0; i < bytes.length; i++) {
                    ring.put((at + i) & (cap - 1), bytes[i]);
                }
                long pos = 3L * cap + at; // stream positions, not indexes
                assertThat(SubjectFilter.parse(filter).matches(ring, cap - 1, pos, pos + bytes.length))
                        .as(filter + " vs " + new String(bytes, StandardCharsets.US_ASCII) + " at " + at).isEqualTo(plain);
            }
        }
        return plain;
    }

    @Test
    void compiledMatcherWildcardsAndLengths() {
        // literal filters: exact bytes and length
        assertThat(match("orders.eu.created", "orders.eu.created")).isTrue();
        assertThat(match("orders.eu.created", "orders.eu.create")).isFalse();
        assertThat(match("orders.eu.created", "orders.eu.createdX")).isFalse();
        assertThat(match("orders.eu.created", "orders.eu.creates")).isFalse();
        assertThat(match("orders.eu.created", "Orders.eu.created")).isFalse();
        assertThat(match("x", "x")).isTrue();
        assertThat(match("x", "y")).isFalse();
        // '*' anywhere, tokens of different lengths
        assertThat(match("*.eu.created", "orders.eu.created")).isTrue();
        assertThat(match("*.eu.created", "o.eu.created")).isTrue();
        assertThat(match("*.eu.created", ".eu.created")).isFalse();
        assertThat(match("orders.*.created", "orders.a.created")).isTrue();
        assertThat(match("orders.*.created", "orders.averyveryverylongtoken.created")).isTrue();
        assertThat(match("orders.*.created", "orders..created")).isFalse();
        assertThat(match("orders.*.created", "orders.eu.deleted")).isFalse();
        assertThat(match("orders.*.created", "orders.eu.created.x")).isFalse();
        assertThat(match("orders.*.*", "orders.eu.x")).isTrue();
        assertThat(match("orders.*.*", "orders.eu")).isFalse();
        assertThat(match("orders.*.*", "orders.eu.")).isFalse();
        assertThat(match("*", "x")).isTrue();
        assertThat(match("*", "")).isFalse();
        assertThat(match("*.*", "a.b")).isTrue();
        assertThat(match("*.*", "a.b.c")).isFalse();
        // '>' one or more tokens
        assertThat(match(">", "a.b.c")).isTrue();
        assertThat(match(">", "")).isFalse();
        assertThat(match("orders.>", "orders.")).isFalse();
        assertThat(match("orders.>", "ordersX.a")).isFalse();
        assertThat(match("orders.>", "orders")).isFalse();
        assertThat(match("nothing.matches.>", "orders.eu.created")).isFalse();
        assertThat(match("nothing.matches.>", "nothing.matches.x")).isTrue();
        assertThat(match("nothing.matches.>", "nothing.matchesX.x")).isFalse();
        assertThat(match("*.matches.>", "n.matches.x.y")).isTrue();
        assertThat(match("*.matches.>", "n.matches")).isFalse();
        assertThat(match("a.*.>", "a.b.c")).isTrue();
        assertThat(match("a.*.>", "a.b")).isFalse();
    }

    /** A parser that reports frames and matches each subject in place against {@code filters}. */
    static List<String> matchedSubjects(byte[] stream, int[] cuts, String... filters) {
        return matchedSubjects(stream, 5, cuts, filters);
    }

    /** ... with the stream starting {@code beforeEnd} bytes before the ring's end (lines wrap around). */
    static List<String> matchedSubjects(byte[] stream, int beforeEnd, int[] cuts, String... filters) {
        int cap = 64;
        while (cap < stream.length) {
            cap <<= 1;
        }
        ByteBuffer ring = ByteBuffer.allocateDirect(cap);
        int mask = cap - 1;
        long base = cap - beforeEnd;
        for (int i = 0; i < stream.length; i++) {
            ring.put((int) ((base + i) & mask), stream[i]);
        }
        List<SubjectFilter> fs = java.util.Arrays.stream(filters).map(SubjectFilter::parse).toList();
        List<String> out = new ArrayList<>();
        NatsParser[] self = new NatsParser[1];
        NatsParser p = new NatsParser(null);
        self[0] = p;
        NatsParser.Sink sink = (kind, start, end) -> {
            if (kind == NatsParser.OTHER) {
                return;
            }
            StringBuilder b = new StringBuilder(self[0].subject());
            for (int i = 0; i < fs.size(); i++) {
                if (self[0].subjectMatches(fs.get(i))) {
                    b.append(" ~").append(filters[i]);
                }
            }
            out.add(b.toString());
        };
        long pos = base;
        for (int c : cuts) {
            p.scan(ring, mask, pos, base + c, sink);
            pos = base + c;
        }
        p.scan(ring, mask, pos, base + stream.length, sink);
        return out;
    }

    @Test
    void inPlaceMatchingAtEverySplitOfTheControlLines() {
        byte[] s = ascii("PING\r\nPUB orders.eu.created 3\r\nabc\r\n"
                + "PUB orders.us.deleted _INBOX.r 1\r\nx\r\n"
                + "HPUB a.b 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
                + "msg   nothing.matches.yes  77   0\r\n\r\n"
                + "HMSG orders.eu.created 9 _INBOX.z 12 12\r\nNATS/1.0\r\n\r\n\r\n"
                + "PUB q 0\r\n\r\n");
        String[] filters = {"orders.*.created", "orders.>", "nothing.matches.>", "a.b", "*"};
        List<String> expected = List.of(
                "orders.eu.created ~orders.*.created ~orders.>",
                "orders.us.deleted ~orders.>",
                "a.b ~a.b",
                "nothing.matches.yes ~nothing.matches.>",
                "orders.eu.created ~orders.*.created ~orders.>",
                "q ~*");
        for (int at = 0; at <= s.length; at++) {
            assertThat(matchedSubjects(s, at, new int[0], filters)).as("wrapping " + at + " bytes in").isEqualTo(expected);
        }
        for (int cut = 1; cut < s.length; cut++) {
            assertThat(matchedSubjects(s, new int[] {cut}, filters)).as("cut at " + cut).isEqualTo(expected);
        }
        for (int cut = 1; cut + 3 < s.length; cut++) {
            assertThat(matchedSubjects(s, new int[] {cut, cut + 3}, filters)).as("cuts at " + cut).isEqualTo(expected);
        }
    }

    /**
     * Reported frames (message mode) read a whole line in place like the pass-through path: the size
     * is the line's last number; the number of tokens before it is not checked (nats-server rejects
     * such a line itself). A line without a size or a subject turns the connection opaque.
     */
    @Test
    void messageLinesWithoutASizeOrSubjectTurnOpaque() {
        for (String line : new String[] {"PUB a\r\n", "PUB 5\r\n", "PUB a x\r\n", "PUB a 99999999999\r\n",
                "MSG\t\t7\r\n", "HPUB a 5x\r\n"}) {
            byte[] b = ascii(line + "PING\r\n");
            ByteBuffer ring = ByteBuffer.allocateDirect(64);
            ring.put(b).clear();
            NatsParser p = new NatsParser(null);
            List<Integer> kinds = new ArrayList<>();
            p.scan(ring, 63, 0, b.length, (k, st, e) -> kinds.add(k));
            assertThat(p.opaque()).as(line).isTrue();
            assertThat(kinds).as(line).isEmpty();
        }
        byte[] extra = ascii("PUB a b c 1\r\nx\r\nPING\r\n");
        assertThat(parse(extra, extra.length)).containsExactly(new Frame(NatsParser.PUB, 0, 16, "a"),
                new Frame(NatsParser.OTHER, 16, 22, null));
    }
}
