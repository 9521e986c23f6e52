package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.describe;
import static io.stampede.chaos.cli.CheckText.reason;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.stampede.system.SystemFile;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Probes published through {@code traffic} come back on {@code outcomes.subject}. The subscription
 * is made (and flushed) before the first probe leaves, so no outcome can be missed.
 */
final class ProbeRoundTrip {
    private final CheckReport report;
    private final ProbePublisher publisher;
    private final OutcomeMatcher matcher;
    private final int count;

    ProbeRoundTrip(CheckReport report, ProbePublisher publisher, OutcomeMatcher matcher, int count) {
        this.report = report;
        this.publisher = publisher;
        this.matcher = matcher;
        this.count = count;
    }

    void run(Connection nats, SystemFile f) {
        String filter = f.outcomes().subject();
        LinkedBlockingQueue<ArrivedMessage> arrivals = new LinkedBlockingQueue<>();
        Dispatcher d;
        try {
            d = nats.createDispatcher(m -> arrivals.add(new ArrivedMessage(m.getSubject(), m.getHeaders(), m.getData(), System.nanoTime())));
            d.subscribe(filter);
            nats.flush(NatsCheck.TIMEOUT);
        } catch (Exception e) {
            report.fail("outcomes.subject", "cannot subscribe to " + filter + ": " + reason(e));
            return;
        }
        try {
            List<SentProbe> probes = publisher.publish(nats, f.traffic(), count);
            if (!probes.isEmpty()) {
                matcher.match(f.outcomes(), probes, arrivals);
            }
        } catch (RuntimeException e) {
            report.fail("outcomes", "unexpected " + describe(e));
        } finally {
            try {
                nats.closeDispatcher(d);
            } catch (RuntimeException e) {
                // the connection is closed next anyway
            }
        }
    }
}
