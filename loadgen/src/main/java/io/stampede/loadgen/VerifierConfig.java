package io.stampede.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivery verifier settings.
 *
 * @param subject     outcome subject to subscribe to (core NATS), or null with {@code stream}
 * @param idSource    where the id is
 * @param idKey       JSON field (or dotted path, e.g. {@code order.ref}) or header name holding the id
 * @param sentAtField JSON field or dotted path holding the intended send time (epoch µs) for end-to-end
 *                    latency; null when outcomes do not copy it (no end-to-end latency)
 * @param grace       how long after its send an outcome may still arrive before the id counts as lost
 * @param maxMessages capacity of the sequence bit sets (3 bits per message): the highest sequence number tracked
 * @param retainedMessages retention window, in sequence numbers: per-id state (sent, delivered, seen
 *                    twice) of ids more than this far behind the newest sent id, and already past
 *                    {@code grace}, is released segment by segment; the counts it contributed stay
 *                    in the totals. Later outcomes for released ids count as {@code untracked}.
 *                    Memory ≈ 3 bits × max(retainedMessages, rate × grace) + 2 segments per bit set.
 * @param stream      a JetStream stream holding the outcomes, or null: the outcomes are read from
 *                    the stream (an ordered consumer per subject of the stream, new messages only),
 *                    i.e. what the stream kept and downstream consumers see, not what was published
 */
public record VerifierConfig(String subject, IdSource idSource, String idKey, String sentAtField,
                             Duration grace, long maxMessages, long retainedMessages, String stream) {
    public static final String DEFAULT_SUBJECT = "decisions.>";
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    public static final long DEFAULT_MAX_MESSAGES = 1L << 34;
    /**
     * 2^26 = 67 108 864 ids: 3 bit sets × 8 MiB = 24 MiB (+ up to 3 MiB of partly filled segments),
     * about 17 minutes of history at 66 000 msg/s, days at the chaos API's baseline rate.
     */
    public static final long DEFAULT_RETAINED_MESSAGES = 1L << 26;
    /** Smallest retention window accepted. */
    public static final long MIN_RETAINED_MESSAGES = 1L << 12;
    /** At most this many segments per bit set (the segment index is an array of this length). */
    private static final int MAX_SEGMENTS_LOG2 = 14;

    /** Outcomes on a core subject (no stream). */
    public VerifierConfig(String subject, IdSource idSource, String idKey, String sentAtField, Duration grace, long maxMessages,
                          long retainedMessages) {
        this(subject, idSource, idKey, sentAtField, grace, maxMessages, retainedMessages, null);
    }

    public static VerifierConfig defaults() {
        return new VerifierConfig(DEFAULT_SUBJECT, IdSource.JSON_FIELD, "id", "sent_at", DEFAULT_GRACE, DEFAULT_MAX_MESSAGES,
                DEFAULT_RETAINED_MESSAGES);
    }

    /**
     * A system file's outcomes: where the id and {@code sent_at} are, and the stream (when named,
     * what it stored) or else the subject; default grace and bounds.
     */
    public static VerifierConfig of(io.stampede.system.SystemFile.Outcomes o) {
        VerifierConfig v = defaults()
                .withId(o.id().kind() == io.stampede.system.IdPlace.Kind.HEADER ? IdSource.HEADER : IdSource.JSON_FIELD, o.id().key())
                .withSentAt(o.sentAt() == null ? null : o.sentAt().key());
        return o.stream() != null ? v.withStream(o.stream()) : v.withSubject(o.subject());
    }

    public VerifierConfig withSubject(String s) {
        return new VerifierConfig(s, idSource, idKey, sentAtField, grace, maxMessages, retainedMessages, null);
    }

    public VerifierConfig withId(IdSource source, String key) {
        return new VerifierConfig(subject, source, key, sentAtField, grace, maxMessages, retainedMessages, stream);
    }

    public VerifierConfig withSentAt(String field) {
        return new VerifierConfig(subject, idSource, idKey, field, grace, maxMessages, retainedMessages, stream);
    }

    /** Outcomes read from this JetStream stream instead of a core subscription (subject null). */
    public VerifierConfig withStream(String s) {
        return new VerifierConfig(null, idSource, idKey, sentAtField, grace, maxMessages, retainedMessages, s);
    }

    public VerifierConfig withGrace(Duration g) {
        return new VerifierConfig(subject, idSource, idKey, sentAtField, g, maxMessages, retainedMessages, stream);
    }

    public VerifierConfig withRetainedMessages(long n) {
        return new VerifierConfig(subject, idSource, idKey, sentAtField, grace, maxMessages, n, stream);
    }

    /**
     * log2 of the bits per segment: a quarter of the window (so at most ~1/4 of it is held beyond
     * the window), within 2^12..2^22 bits, and large enough that maxMessages needs at most 2^14
     * segments.
     */
    public int segmentBitsLog2() {
        int quarter = 63 - Long.numberOfLeadingZeros(Math.max(1, retainedMessages / 4));
        int forCapacity = (64 - Long.numberOfLeadingZeros(Math.max(1, maxMessages - 1))) - MAX_SEGMENTS_LOG2;
        return Math.min(22, Math.max(12, Math.max(quarter, forCapacity)));
    }

    /**
     * run.json's verifier keys, the same for one process and a coordinator: {@code verify},
     * {@code verify_subject}, {@code verify_id} ({@code json:<field>} or {@code header:<name>}),
     * {@code verify_grace_s}; null values without a verifier.
     */
    public static void putRunParams(java.util.Map<String, Object> p, VerifierConfig v) {
        p.put("verify", v != null);
        p.put("verify_subject", v == null ? null : v.subject());
        if (v != null && v.stream() != null) {
            p.put("verify_stream", v.stream());
        }
        p.put("verify_id", v == null ? null : v.idSource().name().toLowerCase(java.util.Locale.ROOT) + ":" + v.idKey());
        p.put("verify_grace_s", v == null ? null : v.grace().toMillis() / 1000.0);
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if ((subject == null || subject.isBlank()) == (stream == null || stream.isBlank())) {
            problems.add("verifier needs an outcome subject or a stream (one of them)");
        }
        if (idSource == null) {
            problems.add("verifier id source is required");
        }
        if (idKey == null || idKey.isBlank()) {
            problems.add("verifier id key must not be blank");
        }
        if (grace == null || grace.isNegative()) {
            problems.add("verifier grace must be >= 0");
        }
        if (maxMessages <= 0) {
            problems.add("verifier max messages must be > 0");
        }
        if (retainedMessages < MIN_RETAINED_MESSAGES) {
            problems.add("verifier retained messages must be >= " + MIN_RETAINED_MESSAGES + ", got " + retainedMessages);
        }
        return problems;
    }
}
