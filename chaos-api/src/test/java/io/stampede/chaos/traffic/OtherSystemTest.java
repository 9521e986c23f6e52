package io.stampede.chaos.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.stampede.chaos.ApiClient;
import io.stampede.chaos.ApiFixture;
import io.stampede.chaos.ChaosConfig;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A system that is not the demo, judged through its system file only: its own subjects in and
 * out, the id in a header, a non-JSON outcome ({@code done <id>}), its own counter names. A
 * consumer that does its job gets verdicts with {@code expected = delivered}; one that drops and
 * doubles on purpose gets {@code lost} and {@code duplicated} equal to what it did.
 */
@Timeout(150)
class OtherSystemTest {
    private static final String FILE = """
            name: orders
            nats: {url: "%s"}
            traffic:
              rate: 200
              subject: "orders.in.{symbol}"
              symbols: [eu, us]
              mode: %s
              headers: {X-Tenant: t1}
              body: 'order {seq} for {symbol} at {sent_at}'
              id: "header:Order-Id"
            outcomes:
              subject: "orders.done"
              id: "header:Order-Id"
              rules: [{regex: "^done .*"}]
            metrics:
              scrape: ["http://127.0.0.1:1/metrics"]
              processed: [orders_processed_total]
            """;

    /** The consumer: every order in, one outcome out (none when {@code drops}, two when {@code twice}); idempotent per id. */
    private static void consume(Connection c, LongPredicate drops, LongPredicate twice, Set<String> tenants) {
        Set<String> done = ConcurrentHashMap.newKeySet();
        c.createDispatcher(m -> {
            String id = m.getHeaders().getFirst("Order-Id");
            tenants.add(String.valueOf(m.getHeaders().getFirst("X-Tenant")));
            assertThat(new String(m.getData(), StandardCharsets.UTF_8)).startsWith("order ");
            long seq = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
            if (drops.test(seq) || !done.add(id)) {
                return; // lost on purpose, or a duplicate it has seen (a correct consumer decides once)
            }
            int n = twice.test(seq) ? 2 : 1;
            for (int i = 0; i < n; i++) {
                Headers h = new Headers().put("Order-Id", id);
                c.publish("orders.done", h, ("done " + id).getBytes(StandardCharsets.UTF_8));
            }
        }).subscribe("orders.in.*");
    }

    private static ApiFixture start(String natsUrl, String mode) throws Exception {
        return start(FILE.formatted(natsUrl, mode));
    }

    private static ApiFixture start(String system) throws Exception {
        Path dir = ApiFixture.tempDir();
        Path file = dir.resolve("orders.yaml");
        Files.writeString(file, system);
        // home: the project, where the load test finds simulations/target
        ChaosConfig cfg = ChaosConfig.fromEnv(Map.of("STAMPEDE_SYSTEM", file.toString(), "STAMPEDE_PORT", "0",
                "STAMPEDE_DATA_DIR", dir.toString(), "STAMPEDE_TIME_SCALE", "0.1", "STAMPEDE_BASELINE", "on",
                "STAMPEDE_HOME", Path.of("..").toAbsolutePath().normalize().toString()));
        return ApiFixture.startDefault(cfg);
    }

    /**
     * outcomes.stream: the verdict counts what the outcome stream stored. The consumer republishes
     * some outcomes with the same Nats-Msg-Id (the stream's duplicate window keeps one: not
     * duplicated) and decides others twice with a fresh msg-id each (stored twice: duplicated).
     */
    @Test
    void outcomesReadFromTheirStreamCountWhatTheStreamKept() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS_OUT").subjects("orders.out.>")
                    .duplicateWindow(Duration.ofMinutes(2)).build());
            LongPredicate republished = seq -> seq % 40 == 11;
            LongPredicate decidedTwice = seq -> seq % 40 == 31;
            var js = c.jetStream();
            c.createDispatcher(m -> {
                String id = m.getHeaders().getFirst("Order-Id");
                long seq = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
                try {
                    Headers h = new Headers().put("Order-Id", id);
                    byte[] body = ("done " + id).getBytes(StandardCharsets.UTF_8);
                    js.publish("orders.out.eu", h, body, io.nats.client.PublishOptions.builder().messageId(id).build());
                    if (republished.test(seq)) {
                        js.publish("orders.out.eu", h, body, io.nats.client.PublishOptions.builder().messageId(id).build());
                    }
                    if (decidedTwice.test(seq)) {
                        js.publish("orders.out.us", h, body, io.nats.client.PublishOptions.builder().messageId(id + "-2").build());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).subscribe("orders.in.*");
            String system = FILE.formatted(nats.url(), "core").replace("subject: \"orders.done\"", "stream: ORDERS_OUT");
            assertThat(system).contains("stream: ORDERS_OUT");
            try (ApiFixture fx = start(system)) {
                String id = fx.postWhenBaselineRuns("{\"type\":\"backpressure\",\"rate_multiplier\":1,\"duration_s\":30}", Duration.ofSeconds(20));
                JsonObject e = finalExperiment(fx, id);
                long from = e.getJsonObject("baseline_window").getLong("from_seq");
                long to = e.getJsonObject("baseline_window").getLong("to_seq");
                long twice = 0;
                for (long s = from; s < to; s++) {
                    twice += decidedTwice.test(s) ? 1 : 0;
                }
                JsonObject i = e.getJsonObject("verdict").getJsonObject("integrity");
                assertThat(i.getLong("expected")).as(i.encode()).isEqualTo(to - from).isEqualTo(i.getLong("delivered"));
                assertThat(i.getLong("duplicated")).as(i.encode()).isEqualTo(twice).isPositive();
                assertThat(fx.client.get("/system").json().getJsonObject("outcomes").getString("stream")).isEqualTo("ORDERS_OUT");
            }
        }
    }

    /**
     * load_test through the file's http section: PUT with the id in a header and a text body; the
     * front door (an HTTP server of this test) publishes each order, the consumer answers it.
     */
    @Test
    void aLoadTestSendsTheFilesRequestsAndCountsTheirOutcomes() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            consume(c, seq -> false, seq -> false, ConcurrentHashMap.newKeySet());
            Set<String> experimentHeaders = ConcurrentHashMap.newKeySet();
            com.sun.net.httpserver.HttpServer door = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 64);
            door.createContext("/orders", ex -> {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String id = ex.getRequestHeaders().getFirst("Order-Id");
                experimentHeaders.add(String.valueOf(ex.getRequestHeaders().getFirst("Stampede-Experiment")));
                c.publish("orders.in.eu", new Headers().put("Order-Id", id).put("X-Tenant", "t1"), body.getBytes(StandardCharsets.UTF_8));
                ex.sendResponseHeaders(201, -1);
                ex.close();
            });
            door.start();
            String system = FILE.formatted(nats.url(), "core") + """
                    http:
                      url: "http://127.0.0.1:%d/orders"
                      method: PUT
                      headers: {Content-Type: text/plain}
                      body: 'order {seq} for {symbol} at {sent_at}'
                      id: "header:Order-Id"
                      accepted: [201]
                    """.formatted(door.getAddress().getPort());
            try (ApiFixture fx = start(system)) {
                ApiClient.Response r = fx.client.postJson("/experiments", "{\"type\":\"load_test\",\"rps\":20,\"duration_s\":30}");
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                String id = r.json().getString("experiment_id");
                JsonObject e = finalExperiment(fx, id);
                JsonObject summary = e.getJsonObject("stats").getJsonObject("summary");
                JsonObject v = e.getJsonObject("verdict");
                JsonObject i = v.getJsonObject("integrity");
                assertThat(summary.getLong("requests")).as(e.encodePrettily()).isEqualTo(60);
                assertThat(summary.getLong("accepted")).as("every request answered 201").isEqualTo(60);
                assertThat(i.getLong("expected")).as(v.encodePrettily()).isEqualTo(60);
                assertThat(i.getLong("delivered")).isEqualTo(60);
                assertThat(i.getLong("lost")).isZero();
                assertThat(v.getString("status")).as(v.encodePrettily()).isEqualTo("pass");
                assertThat(experimentHeaders).containsExactly(id);
            } finally {
                door.stop(0);
            }
        }
    }

    private static JsonObject finalExperiment(ApiFixture fx, String id) {
        Await.until(id + " final", Duration.ofSeconds(90),
                () -> fx.client.get("/experiments/" + id).json().getJsonObject("verdict").getBoolean("final"));
        return fx.client.get("/experiments/" + id).json();
    }

    @Test
    void aConsumerThatDoesItsJobPassesBackpressureAndDuplicates() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            Set<String> tenants = ConcurrentHashMap.newKeySet();
            consume(c, seq -> false, seq -> false, tenants);
            try (ApiFixture fx = start(nats.url(), "core")) {
                JsonObject system = fx.client.get("/system").json();
                assertThat(system.getString("name")).isEqualTo("orders");
                assertThat(system.getJsonObject("traffic").getString("subject")).isEqualTo("orders.in.{symbol}");
                assertThat(system.getJsonObject("overrides")).isEmpty();
                assertThat(system.getValue("backlog_watched")).isNull();
                assertThat(fx.client.get("/healthz").json().getJsonObject("system").getString("name")).isEqualTo("orders");

                String bp = fx.postWhenBaselineRuns("{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":30}", Duration.ofSeconds(20));
                String dup = fx.client.postJson("/experiments", "{\"type\":\"duplicate_messages\",\"duplicate_rate\":0.2,\"duration_s\":30}")
                        .json().getString("experiment_id");
                for (String id : new String[] {bp, dup}) {
                    JsonObject e = finalExperiment(fx, id);
                    JsonObject i = e.getJsonObject("verdict").getJsonObject("integrity");
                    assertThat(i.getLong("expected")).as(id + " " + i).isPositive().isEqualTo(i.getLong("delivered"));
                    assertThat(i.getLong("lost")).as(id).isZero();
                    assertThat(i.getLong("duplicated")).as(id).isZero();
                    assertThat(i.getLong("unexpected")).as(id).isZero();
                    assertThat(e.getJsonObject("verdict").getString("status")).as(id + " " + e.getJsonObject("verdict")).isEqualTo("pass");
                }
                assertThat(tenants).containsExactly("t1");
            }
        }
    }

    @Test
    void droppedAndDoubledOrdersAreCountedExactly() throws Exception {
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS_IN").subjects("orders.in.>").build());
            LongPredicate drops = seq -> seq % 40 == 7;
            LongPredicate twice = seq -> seq % 40 == 23;
            consume(c, drops, twice, ConcurrentHashMap.newKeySet());
            try (ApiFixture fx = start(nats.url(), "jetstream")) {
                String id = fx.postWhenBaselineRuns("{\"type\":\"backpressure\",\"rate_multiplier\":1,\"duration_s\":30}", Duration.ofSeconds(20));
                JsonObject e = finalExperiment(fx, id);
                long from = e.getJsonObject("baseline_window").getLong("from_seq");
                long to = e.getJsonObject("baseline_window").getLong("to_seq");
                long lost = 0;
                long doubled = 0;
                for (long s = from; s < to; s++) {
                    lost += drops.test(s) ? 1 : 0;
                    doubled += twice.test(s) ? 1 : 0;
                }
                JsonObject v = e.getJsonObject("verdict");
                JsonObject i = v.getJsonObject("integrity");
                assertThat(i.getLong("expected")).isEqualTo(to - from);
                assertThat(i.getLong("lost")).isEqualTo(lost).isPositive();
                assertThat(i.getLong("duplicated")).isEqualTo(doubled).isPositive();
                assertThat(i.getLong("delivered")).isEqualTo(to - from - lost);
                assertThat(v.getString("status")).isEqualTo("fail");
            }
        }
    }
}
