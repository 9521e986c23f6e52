package io.stampede.simulations;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * Webhooks at {@code rps} plus {@code /healthz} reads at {@code healthz_rps} (default rps / 4) on
 * the same host, both open model, e.g. to watch health checks degrade while the gateway is loaded.
 * Only the webhooks go into the run directory's own figures.
 */
public class MixedWorkloadSimulation extends Simulation {
    private final LoadParams p = LoadParams.fromSystemProperties();
    private final double healthzRps = Double.parseDouble(System.getProperty("healthz_rps", Double.toString(p.rps() / 4)));
    private final String healthzUrl = URI.create(p.targetUrl()).resolve("/healthz").toString();
    private final RunRecorder recorder = new RunRecorder(p, new ArrivalSchedule(p.rps(), p.rps(), 0));
    private final SignalBodies bodies = new SignalBodies("mix" + Long.toString(System.currentTimeMillis(), 36), p.payloadSize());

    private final HttpProtocolBuilder httpProtocol = http
            .contentTypeHeader("application/json")
            .acceptHeader("application/json")
            .shareConnections();

    private final ScenarioBuilder webhooks = scenario("webhooks")
            .exec(session -> {
                long seq = recorder.nextUser();
                String body = bodies.body(seq, Instant.now());
                return session.set("seq", seq).set("body", body).set("t0", recorder.onSend(seq));
            })
            .exec(http("webhook").post(p.targetUrl())
                    .body(StringBody(session -> session.getString("body")))
                    .check(status().in(200, 201, 202)))
            .exec(session -> {
                recorder.onDone(session.getLong("seq"), session.getLong("t0"), !session.isFailed());
                return session.remove("body");
            });

    private final ScenarioBuilder health = scenario("healthz")
            .exec(http("healthz").get(healthzUrl).check(status().is(200)));

    {
        Duration d = Duration.ofSeconds(p.durationS());
        setUp(webhooks.injectOpen(constantUsersPerSec(p.rps()).during(d)),
                health.injectOpen(constantUsersPerSec(healthzRps).during(d)))
                .protocols(httpProtocol)
                .assertions(
                        global().responseTime().percentile(95.0).lt(p.p95Ms()),
                        global().failedRequests().percent().lt(p.maxFailedPct()));
    }

    @Override
    public void before() {
        recorder.start();
    }

    @Override
    public void after() {
        recorder.finish(true);
    }
}
