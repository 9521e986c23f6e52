package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.reason;

import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.stampede.system.IdPlace;
import io.stampede.system.SystemFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The probes, published the way {@code traffic} says the system's own messages are: subject, mode, headers, body, id. */
final class ProbePublisher {
    /** The demo's trading signal (deploy/systems/demo.yaml's traffic.body): what a file without traffic.body sends. */
    static final String DEMO_BODY = "{\"id\":\"{id}\",\"seq\":{seq},\"sent_at\":{sent_at},\"symbol\":\"{symbol}\",\"side\":\"{side}\","
            + "\"price\":101.5,\"quantity\":10,\"pad\":\"{pad}\"}";
    static final int DEMO_SIZE = 256;

    private final CheckReport report;
    private final Probes probes;

    ProbePublisher(CheckReport report, Probes probes) {
        this.report = report;
        this.probes = probes;
    }

    /** {@code count} probes, round robin over the symbols; empty (and a FAIL) when none could be sent. */
    List<SentProbe> publish(Connection nats, SystemFile.Traffic t, int count) {
        String template = t.body() == null ? DEMO_BODY : t.body();
        int padTo = t.size() != null ? t.size() : t.body() == null ? DEMO_SIZE : 0;
        boolean jetStream = t.mode() == SystemFile.Mode.JETSTREAM;
        List<SentProbe> sent = new ArrayList<>();
        Set<String> subjects = new LinkedHashSet<>();
        for (long seq = 1; seq <= count; seq++) {
            String symbol = t.symbols().get((int) ((seq - 1) % t.symbols().size()));
            String subject = t.subject().replace("{symbol}", symbol);
            String id = probes.id(seq);
            long sentAt = Probes.nowMicros();
            byte[] body = Probes.body(template, id, seq, symbol, sentAt, padTo).getBytes(StandardCharsets.UTF_8);
            Headers h = new Headers();
            t.headers().forEach(h::put);
            if (t.id().kind() == IdPlace.Kind.HEADER) {
                h.put(t.id().key(), id);
            }
            h.put(SystemFile.PROBE_HEADER, "true");
            long published = System.nanoTime();
            try {
                if (jetStream) {
                    nats.jetStream().publish(subject, h, body);
                } else {
                    nats.publish(subject, h, body);
                }
            } catch (Exception e) {
                if (jetStream) {
                    report.fail("traffic.subject", subject + " is not captured by any stream (mode jetstream): add a stream or use mode: core ("
                            + reason(e) + ")");
                } else {
                    report.fail("traffic.subject", "cannot publish to " + subject + ": " + reason(e));
                }
                return List.of();
            }
            sent.add(new SentProbe(id, seq, subject, sentAt, published));
            subjects.add(subject);
        }
        if (!jetStream) {
            try {
                nats.flush(NatsCheck.TIMEOUT);
            } catch (Exception e) {
                report.fail("traffic", "the probes were not flushed to NATS: " + reason(e));
                return List.of();
            }
        }
        report.ok("traffic", sent.size() + (sent.size() == 1 ? " probe" : " probes") + " published to " + String.join(", ", subjects)
                + " (" + (jetStream ? "jetstream" : "core") + ")");
        return sent;
    }
}
