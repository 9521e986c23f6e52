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
        return SubjectFilter.parse(filter).matches(b, 2, b.length - 2);
    }
}
