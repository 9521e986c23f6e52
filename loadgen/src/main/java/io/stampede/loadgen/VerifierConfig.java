package io.stampede.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivery verifier settings.
 *
 * @param subject     outcome subject to subscribe to
 * @param idSource    where the id is
 * @param idKey       JSON field or header name holding the id
 * @param sentAtField JSON field holding the intended send time (epoch µs) for end-to-end latency
 * @param grace       how long after its send an outcome may still arrive before the id counts as lost
 * @param maxMessages capacity of the sequence bit sets (3 bits per message)
 */
public record VerifierConfig(String subject, IdSource idSource, String idKey, String sentAtField,
                             Duration grace, long maxMessages) {
    public static final String DEFAULT_SUBJECT = "decisions.>";
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    public static final long DEFAULT_MAX_MESSAGES = 1L << 34;

    public static VerifierConfig defaults() {
        return new VerifierConfig(DEFAULT_SUBJECT, IdSource.JSON_FIELD, "id", "sent_at", DEFAULT_GRACE, DEFAULT_MAX_MESSAGES);
    }

    public VerifierConfig withSubject(String s) {
        return new VerifierConfig(s, idSource, idKey, sentAtField, grace, maxMessages);
    }

    public VerifierConfig withId(IdSource source, String key) {
        return new VerifierConfig(subject, source, key, sentAtField, grace, maxMessages);
    }

    public VerifierConfig withGrace(Duration g) {
        return new VerifierConfig(subject, idSource, idKey, sentAtField, g, maxMessages);
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (subject == null || subject.isBlank()) {
            problems.add("verifier subject must not be blank");
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
        return problems;
    }
}
