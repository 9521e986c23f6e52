package io.stampede.chaos.cli;

import io.stampede.loadgen.SignalIds;
import io.stampede.system.Template;
import java.time.Instant;

/**
 * The ids and bodies of one check run's probes (the NATS ones and the HTTP request). The ids share
 * a fresh run prefix, so an outcome of any other run can never be taken for a probe's.
 */
final class Probes {
    private final String runPrefix = SignalIds.newRunPrefix();

    String id(long seq) {
        return SignalIds.format(runPrefix, seq);
    }

    /** The body template rendered for probe {@code seq}, which also decides its side. */
    static String body(String template, String id, long seq, String symbol, long sentAtMicros, int padTo) {
        return Template.render(template, id, seq, symbol, seq % 2 == 0, sentAtMicros, padTo);
    }

    /** Epoch microseconds: what {@code {sent_at}} carries. */
    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
