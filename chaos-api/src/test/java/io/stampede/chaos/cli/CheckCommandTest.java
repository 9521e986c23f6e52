package io.stampede.chaos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.stampede.system.SystemFile;
import io.stampede.testkit.NatsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stampede check} against a real system: a nats-server, a consumer that answers each order
 * on {@code orders.done} with the id in header {@code Order-Id} (twice when the order has header
 * {@code X-Twice}), and an HTTP server with the system's metrics, health and front door. Each case
 * breaks one assumption of a correct file and expects the line that names its key.
 */
@Timeout(120)
class CheckCommandTest {
    private static final String FILE = """
            name: orders
            nats: {url: "@NATS@", monitor_url: "@WEB@"}
            traffic:
              rate: 50
              subject: "orders.in.{symbol}"
              symbols: [eu, us]
              mode: jetstream
              headers: {X-Tenant: t1}
              body: 'order {seq} for {symbol} at {sent_at}'
              id: "header:Order-Id"
            outcomes:
              subject: "orders.done"
              id: "header:Order-Id"
              rules: [{regex: "^done .*"}]
            backlog: {stream: ORDERS_IN, consumer: orders, target: orders}
            metrics:
              scrape: ["@WEB@/metrics"]
              processed: [orders_processed_total]
              errors: [orders_failed]
            targets:
              orders:
                type: process
                pid_file: "@PID@"
                start_command: ["true"]
                match: java
                health_url: "@WEB@/healthz"
            http:
              url: "@WEB@/orders"
              method: POST
              headers: {Content-Type: application/json}
              body: '{"id":"{id}","symbol":"{symbol}"}'
              id: "json:id"
              accepted: [202]
            """;

    private static NatsServer nats;
    private static Connection system;
    private static HttpServer web;
    private static final Set<String> tenants = ConcurrentHashMap.newKeySet();

    @TempDir
    Path dir;

    @BeforeAll
    static void startTheSystem() throws Exception {
        nats = NatsServer.start();
        system = Nats.connect(nats.url());
        system.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS_IN").subjects("orders.in.>").build());
        system.jetStreamManagement().addOrUpdateConsumer("ORDERS_IN", ConsumerConfiguration.builder().durable("orders").build());
        system.createDispatcher(m -> {
            String id = m.getHeaders().getFirst("Order-Id");
            tenants.add(String.valueOf(m.getHeaders().getFirst("X-Tenant")));
            int n = m.getHeaders().containsKey("X-Twice") ? 2 : 1;
            for (int i = 0; i < n; i++) {
                system.publish("orders.done", new Headers().put("Order-Id", id), ("done " + id).getBytes(StandardCharsets.UTF_8));
            }
        }).subscribe("orders.in.*");
        system.flush(java.time.Duration.ofSeconds(2));
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        web.createContext("/metrics", x -> answer(x, 200, """
                # TYPE orders_processed_total counter
                orders_processed_total 42
                # TYPE orders_failed_total counter
                orders_failed_total{reason="timeout"} 2
                orders_failed_total{reason="invalid"} 1
                """));
        web.createContext("/healthz", x -> answer(x, 200, "ok"));
        web.createContext("/varz", x -> answer(x, 200, "{\"server_id\":\"test\"}"));
        web.createContext("/orders", x -> answer(x, x.getRequestMethod().equals("POST")
                && "true".equals(x.getRequestHeaders().getFirst(SystemFile.PROBE_HEADER)) ? 202 : 405, ""));
        web.createContext("/bad", x -> answer(x, 400, "{\"error\":\"missing field customer\"}"));
        web.start();
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        if (web != null) {
            web.stop(0);
        }
        if (system != null) {
            system.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    private static void answer(HttpExchange x, int status, String body) throws IOException {
        x.getRequestBody().readAllBytes();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            x.getResponseBody().write(b);
        }
        x.close();
    }

    private static String web() {
        return "http://127.0.0.1:" + web.getAddress().getPort();
    }

    private String correct() throws IOException {
        Path pid = dir.resolve("orders.pid");
        Files.writeString(pid, ProcessHandle.current().pid() + "\n");
        return FILE.replace("@NATS@", nats.url()).replace("@WEB@", web()).replace("@PID@", pid.toString());
    }

    private record Result(int code, String out, String err) { }

    private Result check(String text, String... more) throws IOException {
        Path file = dir.resolve("system.yaml");
        Files.writeString(file, text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[3 + more.length];
        args[0] = file.toString();
        args[1] = "--timeout-s";
        args[2] = "3";
        System.arraycopy(more, 0, args, 3, more.length);
        int code = CheckCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Result r = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println("--- check exit " + r.code() + "\n" + r.out() + r.err());
        return r;
    }

    private static String broken(String file, String good, String bad) {
        assertThat(file).contains(good);
        return file.replace(good, bad);
    }

    @Test
    void aCorrectFilePassesEveryCheck() throws Exception {
        Result r = check(correct());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("ok   file: ")
                .contains("ok   nats.url: connected to " + nats.url())
                .contains("ok   nats.monitor_url: " + web() + "/varz answered 200")
                .contains("ok   traffic: 5 probes published to orders.in.eu, orders.in.us (jetstream)")
                .contains("ok   outcomes: 5 of 5 probes matched by id on orders.done (e2e p50 ")
                .contains("ok   outcomes.rules: 5 outcomes follow the rule")
                .contains("ok   metrics.processed: orders_processed_total = 42 on " + web() + "/metrics")
                .contains("ok   metrics.errors: orders_failed as orders_failed_total = 3 on ")
                .contains("ok   targets.orders.health_url: " + web() + "/healthz answered 200")
                .contains("ok   targets.orders.pid_file: pid " + ProcessHandle.current().pid())
                .contains("ok   backlog: consumer ORDERS_IN/orders found (pending ")
                .contains("ok   http.url: POST " + web() + "/orders answered 202")
                .doesNotContain("FAIL").doesNotContainPattern("(?m)^warn ")
                .contains("check: 13 passed, 0 warnings, 0 failed");
        assertThat(tenants).contains("t1");
    }

    @Test
    void aWrongOutcomeSubjectIsNamed() throws Exception {
        Result r = check(broken(correct(), "subject: \"orders.done\"", "subject: \"orders.finished\""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL outcomes.subject: 0 of 5 probes seen on orders.finished — nothing arrived")
                .contains("first fix: outcomes.subject: ").contains("check: 11 passed, 0 warnings, 1 failed");
    }

    @Test
    void aWrongIdPlaceSaysWhereTheIdIs() throws Exception {
        Result r = check(broken(correct(), "id: \"header:Order-Id\"\n  rules", "id: \"json:id\"\n  rules"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL outcomes.id: 0 of 5 probes matched; 5 messages arrived on orders.done but none carried a probe id at json:id")
                .contains("The probe id was found in header Order-Id: use outcomes.id: \"header:Order-Id\"");
    }

    @Test
    void aCounterTheSystemDoesNotHaveIsNamed() throws Exception {
        Result r = check(broken(correct(), "processed: [orders_processed_total]", "processed: [orders_shipped_total]"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL metrics.processed: counter orders_shipped_total not found on any of " + web() + "/metrics")
                .contains("ok   metrics.errors: ");
    }

    @Test
    void aDeadHealthUrlIsNamed() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        Result r = check(broken(correct(), "health_url: \"" + web() + "/healthz\"", "health_url: \"http://127.0.0.1:" + dead + "/healthz\""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL targets.orders.health_url: http://127.0.0.1:" + dead + "/healthz unreachable: ");
    }

    @Test
    void targetsAreCheckedInFileOrder() throws Exception {
        String f = broken(correct(), "targets:\n", "targets:\n  zeta: {type: container, container: z}\n  mid: {type: container, container: m}\n")
                .replace("http:\n  url", "  alpha: {type: container, container: a}\nhttp:\n  url");
        Result r = check(f);
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).containsSubsequence("ok   targets.zeta: container z", "ok   targets.mid: container m",
                "ok   targets.orders.health_url: ", "ok   targets.alpha: container a");
    }

    @Test
    void aDeadNatsUrlIsNamedAndTheChecksWithoutNatsStillRun() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        Result r = check(broken(correct(), "url: \"" + nats.url() + "\"", "url: \"nats://127.0.0.1:" + dead + "\""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL nats.url: cannot connect to nats://127.0.0.1:" + dead + ": ")
                .contains("first fix: nats.url: ").contains("ok   metrics.processed: ").contains("ok   http.url: ")
                .doesNotContain("traffic:").doesNotContain("backlog:");
    }

    @Test
    void anInvalidFileListsEveryProblemAndChecksNothingElse() throws Exception {
        Result r = check(broken(broken(correct(), "mode: jetstream", "mode: fast"), "id: \"header:Order-Id\"\n  rules", "id: \"body:id\"\n  rules"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL traffic.mode: expected jetstream or core, got 'fast'")
                .contains("FAIL outcomes.id: expected json:<path> or header:<name>, got 'body:id'")
                .doesNotContain("ok   ").contains("check: 0 passed, 0 warnings, 2 failed");
        Result unsupported = check(broken(correct(), "nats: {url: \"", "nats: {token: abc, url: \""));
        assertThat(unsupported.code()).isEqualTo(1);
        assertThat(unsupported.out()).contains("FAIL nats: token, creds and tls are not supported").doesNotContain("ok   ");
    }

    @Test
    void aRefusedHttpRequestIsNamed() throws Exception {
        Result r = check(broken(correct(), "url: \"" + web() + "/orders\"", "url: \"" + web() + "/bad\""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL http.url: POST " + web() + "/bad answered 400 (accepted: [202]): {\"error\":\"missing field customer\"}");
    }

    @Test
    void jetStreamTrafficNeedsAStream() throws Exception {
        Result r = check(broken(correct(), "subject: \"orders.in.{symbol}\"", "subject: \"nowhere.{symbol}\""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL traffic.subject: nowhere.eu is not captured by any stream (mode jetstream): add a stream or use mode: core")
                .doesNotContain("outcomes:");
    }

    @Test
    void anOutcomeFilterThatCatchesTheTrafficFails() throws Exception {
        Result r = check(broken(correct(), "subject: \"orders.done\"", "subject: \"orders.>\""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL outcomes.subject: orders.> also matches traffic.subject (orders.in.eu, orders.in.us)");
    }

    @Test
    void coreTrafficWithDuplicatesBrokenRulesAndADeadPidWarnsOnly() throws Exception {
        Path deadPid = dir.resolve("dead.pid");
        Files.writeString(deadPid, "999999999\n");
        String f = broken(correct(), "headers: {X-Tenant: t1}", "headers: {X-Tenant: t1, X-Twice: yes}");
        f = broken(f, "regex: \"^done .*\"", "regex: \"^finished\"");
        f = broken(f, "mode: jetstream", "mode: core");
        f = f.replace(dir.resolve("orders.pid").toString(), deadPid.toString());
        Result r = check(f, "--probes", "3");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("ok   traffic: 3 probes published to orders.in.eu, orders.in.us (core)")
                .contains("ok   outcomes: 3 of 3 probes matched")
                .containsPattern("warn outcomes: probe r[a-z0-9]{5}-0000000001 answered twice")
                .contains("warn outcomes.rules[0]: 3 of 3 outcomes break {regex: ^finished}; e.g. ")
                .contains("warn targets.orders.pid_file: pid 999999999 from " + deadPid + " is not running")
                .doesNotContain("FAIL").contains("0 failed");
    }

    @Test
    void usageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(CheckCommand.run(new String[0], System.out, e)).isEqualTo(2);
        assertThat(CheckCommand.run(new String[] {"a.yaml", "--probes", "many"}, System.out, e)).isEqualTo(2);
        assertThat(CheckCommand.run(new String[] {"a.yaml", "--colour"}, System.out, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: stampede check FILE");
    }
}
