package io.stampede.simulations;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Posts valid signal webhooks to the gateway at a constant arrival rate (open model): each
 * virtual user sends one request. With {@code -Dsystem=FILE} the requests are the system file's
 * {@code http} section instead (method, headers, body template, id place, accepted statuses).
 * Parameters: see {@link LoadParams} and the module README.
 *
 * <pre>mvn -pl simulations gatling:test -Drps=200 -Dduration_s=60 -Dpayload_size=4096
 * mvn -pl simulations gatling:test -Dsystem=orders.yaml -Drps=50</pre>
 */
public class WebhookSimulation extends Simulation {
    private final LoadParams p = LoadParams.fromSystemProperties();
    private final ArrivalSchedule schedule = new ArrivalSchedule(Math.min(1.0, p.rps()), p.rps(), p.rampS());
    private final RunRecorder recorder = new RunRecorder(p, schedule);
    private final String idPrefix = p.experimentId() != null ? p.experimentId() : "gat-" + Long.toString(System.currentTimeMillis(), 36);
    /** The demo's signal webhook, or the system file's http section (-Dsystem=FILE). */
    private final Requests requests = p.system() == null ? Requests.demo(idPrefix, p.payloadSize())
            : Requests.of(p.system(), idPrefix, p.payloadSize());

    // Shared connections: measured on this machine to hold open-model rates to ~5 000 rps
    // at half the CPU of one connection per user (../shared/NOTES-gatling.md).
    private final HttpProtocolBuilder httpProtocol = experimentHeader(withHeaders(http.shareConnections()));

    private final ScenarioBuilder webhooks = scenario("webhooks")
            .exec(session -> {
                long seq = recorder.nextUser();
                String body = requests.body(seq, Instant.now());
                return session.set("seq", seq).set("id", requests.id(seq)).set("body", body).set("t0", recorder.onSend(seq));
            })
            .exec(request())
            .exec(session -> {
                long seq = session.getLong("seq");
                recorder.onDone(seq, session.getLong("t0"), !session.isFailed());
                if (session.contains("status") && requests.accepted.contains(session.getInt("status"))) {
                    recorder.onAccepted(seq); // the system took it: an outcome must follow
                }
                return session.remove("body");
            });

    /** One request: method, URL, the id header when the id travels in one, the body, the accepted statuses. */
    private HttpRequestActionBuilder request() {
        HttpRequestActionBuilder r = http("webhook").httpRequest(requests.method, p.targetUrl());
        if (requests.idHeader != null) {
            r = r.header(requests.idHeader, session -> session.getString("id"));
        }
        if (!requests.method.equals("GET")) {
            r = r.body(StringBody(session -> session.getString("body")));
        }
        // the demo's gateway answers 200/201 too for requests it did not take; only 202 means accepted
        Integer[] ok = p.system() == null ? new Integer[] {200, 201, 202} : requests.accepted.toArray(Integer[]::new);
        return r.check(status().in(ok).saveAs("status"));
    }

    private HttpProtocolBuilder withHeaders(HttpProtocolBuilder h) {
        for (var e : requests.headers.entrySet()) {
            h = h.header(e.getKey(), e.getValue());
        }
        return h;
    }

    /** {@code Stampede-Experiment: <experiment id>} on every request when the chaos API runs this (the gateway copies it onto the NATS message). */
    private HttpProtocolBuilder experimentHeader(HttpProtocolBuilder h) {
        return p.experimentId() == null ? h : h.header("Stampede-Experiment", p.experimentId());
    }

    {
        List<OpenInjectionStep> steps = new ArrayList<>();
        if (p.rampS() > 0) {
            steps.add(rampUsersPerSec(Math.min(1.0, p.rps())).to(p.rps()).during(Duration.ofSeconds(p.rampS())));
        }
        steps.add(constantUsersPerSec(p.rps()).during(Duration.ofSeconds(p.durationS())));
        setUp(webhooks.injectOpen(steps).protocols(httpProtocol))
                .assertions(
                        global().responseTime().percentile(95.0).lt(p.p95Ms()),
                        global().failedRequests().percent().lt(p.maxFailedPct()));
    }

    @Override
    public void before() {
        recorder.start(idPrefix);
    }

    @Override
    public void after() {
        recorder.finish(true);
    }
}
