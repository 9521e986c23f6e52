package io.stampede.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import io.stampede.testkit.Await;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./stampede up --system FILE} on a system of this test: its own nats-server, a consumer
 * answering orders by a header id, a process target (a small HTTP server) that is down at first.
 * Only Stampede's own parts start (never the demo or a nats-server), the target is started with its
 * start_command because it was not running, the chaos API judges the file's traffic, and down
 * forgets the file.
 */
@Timeout(240)
class LauncherSystemTest {

    @Test
    void upWithASystemFileStartsOnlyStampedeAndTheTargetThatWasDown() throws Exception {
        LauncherStack stack = new LauncherStack();
        int webPort = FreePorts.next();
        Path pidFile = stack.varDir.resolve("web.pid");
        try (NatsServer nats = NatsServer.start(); Connection c = Nats.connect(nats.url())) {
            c.createDispatcher(m -> {
                String id = m.getHeaders().getFirst("Order-Id");
                c.publish("orders.done", new Headers().put("Order-Id", id), ("done " + id).getBytes(StandardCharsets.UTF_8));
            }).subscribe("orders.in.*");
            c.flush(Duration.ofSeconds(2));
            // the target: a small HTTP server run from source (java's single-file launch), down at first
            Path web = stack.varDir.resolve("WebServer.java");
            Files.writeString(web, """
                    public class WebServer {
                        public static void main(String[] a) throws Exception {
                            var s = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(a[0])), 8);
                            s.createContext("/", x -> { x.sendResponseHeaders(200, -1); x.close(); });
                            s.start();
                        }
                    }
                    """);
            String java = ProcessHandle.current().info().command().orElse("java");
            Path file = stack.varDir.resolve("orders.yaml");
            Files.writeString(file, """
                    name: orders
                    nats: {url: "%s"}
                    traffic: {rate: 50, subject: "orders.in.{symbol}", symbols: [eu, us], mode: core,
                              body: 'order {seq}', id: "header:Order-Id"}
                    outcomes: {subject: orders.done, id: "header:Order-Id"}
                    targets:
                      web:
                        type: process
                        pid_file: "%s"
                        start_command: ["%s", "%s", "%d"]
                        match: "WebServer.java %d"
                        health_url: "http://127.0.0.1:%d/"
                    """.formatted(nats.url(), pidFile, java, web, webPort, webPort, webPort));
            Map<String, String> env = Map.of("STAMPEDE_BASELINE", "on", "STAMPEDE_TIME_SCALE", "0.1");
            try {
                LauncherStack.Run up = stack.run(Duration.ofSeconds(120), env, "up", "--system", file.toString());
                assertThat(up.exitCode()).as(up.output() + stack.logs()).isZero();
                assertThat(up.output()).contains("target web: started with " + java);
                for (String demoPart : new String[] {"nats", "proxy", "gateway", "agent"}) {
                    assertThat(stack.pid(demoPart)).as(demoPart + " must not start").isEmpty();
                }
                assertThat(Files.readString(pidFile).trim()).matches("\\d+");
                JsonObject system = new JsonObject(stack.get(stack.stampedePort, "/system").body());
                assertThat(system.getString("name")).isEqualTo("orders");
                assertThat(system.getJsonArray("targets_in_use").getList()).containsExactly("web");

                LauncherStack.Run again = stack.run(Duration.ofSeconds(60), env, "up");
                assertThat(again.exitCode()).as(again.output()).isZero();
                assertThat(again.output()).contains("system file: " + file, "target web: already running");

                String id = new JsonObject(stack.post(stack.stampedePort, "/experiments",
                        "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":30}").body()).getString("experiment_id");
                Await.until("verdict final", Duration.ofSeconds(90), () -> new JsonObject(stack.get(stack.stampedePort, "/experiments/" + id).body())
                        .getJsonObject("verdict").getBoolean("final"));
                JsonObject v = new JsonObject(stack.get(stack.stampedePort, "/experiments/" + id).body()).getJsonObject("verdict");
                JsonObject i = v.getJsonObject("integrity");
                assertThat(i.getLong("expected")).as(v.encodePrettily()).isPositive().isEqualTo(i.getLong("delivered"));
                assertThat(v.getString("status")).as(v.encodePrettily()).isEqualTo("pass");
            } finally {
                LauncherStack.Run down = stack.run(Duration.ofSeconds(60), "down");
                assertThat(down.exitCode()).as(down.output()).isZero();
                assertThat(stack.varDir.resolve("run").resolve("system")).doesNotExist();
                if (Files.exists(pidFile)) {
                    ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroy);
                }
            }
        }
    }
}
