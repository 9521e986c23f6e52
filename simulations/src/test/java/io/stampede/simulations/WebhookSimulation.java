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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Posts valid signal webhooks to the gateway at a constant arrival rate (open model): each
 * virtual user sends one request. Parameters: see {@link LoadParams} and the module README.
 *
 * <pre>mvn -pl simulations gatling:test -Drps=200 -Dduration_s=60 -Dpayload_size=4096</pre>
 */
public class WebhookSimulation extends Simulation {
    private final LoadParams p = LoadParams.fromSystemProperties();
    private final ArrivalSchedule schedule = new ArrivalSchedule(Math.min(1.0, p.rps()), p.rps(), p.rampS());
    private final RunRecorder recorder = new RunRecorder(p, schedule);
    private final SignalBodies bodies = new SignalBodies(p.experimentId() != null ? p.experimentId()
            : "gat-" + Long.toString(System.currentTimeMillis(), 36), p.payloadSize());

    // Shared connections: measured on this machine to hold open-model rates to ~5 000 rps
    // at half the CPU of one connection per user (../shared/NOTES-gatling.md).
    private final HttpProtocolBuilder httpProtocol = experimentHeader(http
            .contentTypeHeader("application/json")
            .acceptHeader("application/json")
            .shareConnections());

    private final ScenarioBuilder webhooks = scenario("webhooks")
            .exec(session -> {
                long seq = recorder.nextUser();
                String body = bodies.body(seq, Instant.now());
                return session.set("seq", seq).set("body", body).set("t0", recorder.onSend(seq));
            })
            .exec(http("webhook").post(p.targetUrl())
                    .body(StringBody(session -> session.getString("body")))
                    .check(status().in(200, 201, 202).saveAs("status")))
            .exec(session -> {
                long seq = session.getLong("seq");
                recorder.onDone(seq, session.getLong("t0"), !session.isFailed());
                if (session.contains("status") && session.getInt("status") == 202) {
                    recorder.onAccepted(seq); // the gateway took it: a decision must follow
                }
                return session.remove("body");
            });

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
        recorder.start(bodies.idPrefix());
    }

    @Override
    public void after() {
        recorder.finish(true);
    }
}
