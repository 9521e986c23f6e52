package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.firstChars;
import static io.stampede.chaos.cli.CheckText.reason;

import io.stampede.system.IdPlace;
import io.stampede.system.SystemFile;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One request to the HTTP front door ({@code http}, what load tests drive) is accepted. */
final class HttpRequestCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final CheckReport report;
    private final CheckHttp http;
    private final Probes probes;

    HttpRequestCheck(CheckReport report, CheckHttp http, Probes probes) {
        this.report = report;
        this.http = http;
        this.probes = probes;
    }

    /** {@code seq}: after the NATS probes', so its id is not one of theirs. */
    void check(SystemFile f, long seq) {
        SystemFile.Http h = f.http();
        String what = h.method() + " " + h.url();
        try {
            String id = probes.id(seq);
            String symbol = f.traffic().symbols().get(0);
            int padTo = f.traffic().size() == null ? 0 : f.traffic().size();
            HttpRequest.BodyPublisher body = h.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(Probes.body(h.body(), id, seq, symbol, Probes.nowMicros(), padTo));
            HttpRequest.Builder req = HttpRequest.newBuilder(h.url()).timeout(TIMEOUT).method(h.method(), body);
            h.headers().forEach(req::header);
            if (h.id() != null && h.id().kind() == IdPlace.Kind.HEADER) {
                req.header(h.id().key(), id);
            }
            req.header(SystemFile.PROBE_HEADER, "true");
            HttpResponse<String> r = http.send(req.build());
            if (h.accepted().contains(r.statusCode())) {
                report.ok("http.url", what + " answered " + r.statusCode() + " (accepted: " + h.accepted() + ")");
            } else {
                report.fail("http.url", what + " answered " + r.statusCode() + " (accepted: " + h.accepted() + "): " + firstChars(r.body(), 200));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            report.fail("http.url", what + ": interrupted");
        } catch (Exception e) {
            report.fail("http.url", what + " unreachable: " + reason(e));
        }
    }
}
