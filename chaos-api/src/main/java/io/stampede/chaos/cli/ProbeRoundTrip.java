package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.describe;
import static io.stampede.chaos.cli.CheckText.reason;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.stampede.system.SystemFile;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Probes published through {@code traffic} come back on {@code outcomes.subject} (or a subject of
 * {@code outcomes.stream}). The subscription
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

    /**
     * What to listen on: outcomes.subject, or the subjects of outcomes.stream (a probe's outcome is
     * published on one of them; whether the stream kept it once is the verdict's business).
     */
    private static List<String> filters(Connection nats, SystemFile.Outcomes o) throws Exception {
        if (o.stream() == null) {
            return List.of(o.subject());
        }
        return nats.jetStreamManagement().getStreamInfo(o.stream()).getConfiguration().getSubjects();
    }

    void run(Connection nats, SystemFile f) {
        List<String> filters;
        try {
            filters = filters(nats, f.outcomes());
        } catch (Exception e) {
            report.fail("outcomes.stream", "no stream " + f.outcomes().stream() + " on " + f.nats().url() + ": " + reason(e));
            return;
        }
        LinkedBlockingQueue<ArrivedMessage> arrivals = new LinkedBlockingQueue<>();
        Dispatcher d;
        try {
            d = nats.createDispatcher(m -> arrivals.add(new ArrivedMessage(m.getSubject(), m.getHeaders(), m.getData(), System.nanoTime())));
            filters.forEach(d::subscribe);
            nats.flush(NatsCheck.TIMEOUT);
        } catch (Exception e) {
            report.fail("outcomes.subject", "cannot subscribe to " + String.join(", ", filters) + ": " + reason(e));
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
