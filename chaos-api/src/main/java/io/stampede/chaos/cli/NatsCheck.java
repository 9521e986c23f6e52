package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.reason;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.stampede.system.SystemFile;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** NATS answers at {@code nats.url}, and its HTTP monitor at {@code nats.monitor_url}. */
final class NatsCheck {
    /** For connecting and for each flush of a check run. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final CheckReport report;
    private final CheckHttp http;

    NatsCheck(CheckReport report, CheckHttp http) {
        this.report = report;
        this.http = http;
    }

    /** The connection; null (and a FAIL) when there is none. */
    Connection connect(SystemFile.Nats n) {
        AtomicReference<Exception> why = new AtomicReference<>();
        try {
            ErrorListener quiet = new ErrorListener() {
                @Override
                public void exceptionOccurred(Connection conn, Exception exp) {
                    why.compareAndSet(null, exp); // the socket's own reason, which jnats' "Unable to connect" leaves out
                }
            };
            Options o = new Options.Builder().servers(n.url().split("\\s*,\\s*")).connectionTimeout(TIMEOUT)
                    .noReconnect().errorListener(quiet).connectionName("stampede-check").build();
            Connection c = Nats.connect(o);
            report.ok("nats.url", "connected to " + n.url() + " (nats-server " + c.getServerInfo().getVersion()
                    + (c.getServerInfo().isJetStreamAvailable() ? ", JetStream on" : ", no JetStream") + ")");
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            report.fail("nats.url", "cannot connect to " + n.url() + ": interrupted");
        } catch (Exception e) {
            Exception cause = why.get();
            report.fail("nats.url", "cannot connect to " + n.url() + ": " + reason(e)
                    + (cause == null || reason(e).contains(reason(cause)) ? "" : " (" + reason(cause) + ")"));
        }
        return null;
    }

    void monitor(SystemFile.Nats n) {
        if (n.monitorUrl() == null) {
            return;
        }
        String url = n.monitorUrl().replaceAll("/+$", "") + "/varz";
        try {
            HttpResponse<String> r = http.get(URI.create(url));
            if (r.statusCode() == 200) {
                report.ok("nats.monitor_url", url + " answered 200");
            } else {
                report.fail("nats.monitor_url", url + " answered " + r.statusCode() + " (expected 200 from the server's HTTP monitor)");
            }
        } catch (Exception e) {
            report.fail("nats.monitor_url", url + " unreachable: " + reason(e));
        }
    }

    static void close(Connection nats) {
        try {
            nats.close();
        } catch (Exception e) {
            // closing a connection that is going away anyway
        }
    }
}
