package io.stampede.loadgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.NatsServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

    @Test
    @Timeout(30)
    void runPrintsProgressAndSummaryAndWritesTheRunDirectory(@TempDir Path dir) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try (NatsServer nats = NatsServer.start()) {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = new CommandLine(new LoadgenCli()).setCaseInsensitiveEnumValuesAllowed(true).execute("run",
                    "--nats-url", nats.url(), "--rate", "500", "--duration", "2.2", "--payload-size", "200",
                    "--duplicate-rate", "0.1", "--run-dir", dir.toString());
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        assertThat(out).contains("t=  1.0s", "t=  2.0s", "---- summary", "scheduled 1100, sent 1100, duplicates 110");
        io.stampede.reports.RunReader r = io.stampede.reports.RunReader.open(dir);
        assertThat(r.run().orElseThrow().params()).containsEntry("payload_size", 200L);
        assertThat(r.series("lateness").orElseThrow().merged().getTotalCount()).isEqualTo(1210); // originals and duplicates
        assertThat(r.counters().stream().filter(c -> c.source().equals("loadgen") && c.experimentId() == null))
                .hasSizeGreaterThanOrEqualTo(2).last().satisfies(c -> assertThat(c.values()).containsEntry("duplicates", 110L));
        assertThat(r.summary()).isPresent();
    }

    @Test
    @Timeout(30)
    void jsonMakesTheLastLineOfStdoutTheSummaryAndSendsProgressToStderr() throws Exception {
        PrintStream out0 = System.out;
        PrintStream err0 = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (NatsServer nats = NatsServer.start()) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = new CommandLine(new LoadgenCli()).setCaseInsensitiveEnumValuesAllowed(true).execute("run",
                    "--nats-url", nats.url(), "--rate", "500", "--duration", "1.2", "--duplicate-rate", "0.1", "--json");
        } finally {
            System.setOut(out0);
            System.setErr(err0);
        }
        assertThat(code).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines).hasSize(1);
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> j = new com.fasterxml.jackson.databind.ObjectMapper().readValue(lines[lines.length - 1],
                java.util.Map.class);
        assertThat(j).containsEntry("sent", 600).containsEntry("duplicates", 60).containsEntry("failed", 0)
                .containsEntry("agents", java.util.List.of()).containsKey("acked");
        assertThat((java.util.Map<String, Object>) j.get("lateness")).containsEntry("count", 660).containsKeys("p50", "p99", "p999", "max");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("t=  1.0s", "---- summary");
    }

    /** --system: the file's subject, body, header id and outcomes; a consumer answering by header verifies every id. */
    @Test
    @Timeout(30)
    void aSystemFileGivesSubjectBodyIdAndOutcomes(@TempDir Path dir) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        java.util.Set<String> bodies = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (NatsServer nats = NatsServer.start(); io.nats.client.Connection c = io.nats.client.Nats.connect(nats.url())) {
            c.createDispatcher(m -> {
                bodies.add(new String(m.getData(), StandardCharsets.UTF_8).replaceAll("[0-9 ]+", "#"));
                c.publish("orders.done", new io.nats.client.impl.Headers().put("Order-Id", m.getHeaders().getFirst("Order-Id")),
                        "done".getBytes(StandardCharsets.UTF_8));
            }).subscribe("orders.in.*");
            c.flush(java.time.Duration.ofSeconds(2));
            Path file = dir.resolve("orders.yaml");
            java.nio.file.Files.writeString(file, """
                    nats: {url: "%s"}
                    traffic: {rate: 5, subject: "orders.in.{symbol}", symbols: [eu, us], mode: core,
                              body: 'order {seq} for {symbol}', id: "header:Order-Id"}
                    outcomes: {subject: orders.done, id: "header:Order-Id"}
                    """.formatted(nats.url()));
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = new CommandLine(new LoadgenCli()).setCaseInsensitiveEnumValuesAllowed(true).execute("run",
                    "--system", file.toString(), "--rate", "400", "--duration", "1.5", "--verify", "--grace", "2");
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        assertThat(out).contains("orders.in.{symbol}", "verifying orders.done", "scheduled 600, sent 600")
                .containsPattern("delivered 600\\b.*lost 0");
        assertThat(bodies).containsExactlyInAnyOrder("order#for#eu", "order#for#us");
    }

    @Test
    void badArgumentsAreRejectedWithUsageExitCode() {
        int code = new CommandLine(new LoadgenCli()).execute("run", "--rate", "-5");
        assertThat(code).isEqualTo(2);
    }

    @Test
    @Timeout(30)
    void nanTinyOrOutOfRangeNumbersAreUsageErrorsNotSilentDefaults() {
        String[][] bad = {
                {"--grace", "NaN", "--verify"},            // was: Math.round(NaN) = 0 s of grace, silently
                {"--duration", "NaN"},
                {"--rate", "1e-9"},                        // below LoadGenConfig.MIN_RATE: was a silent pause
                {"--rate", "Infinity"},
                {"--duplicate-rate", "0.5", "--duplicate-delay-ms", "99999999999999"}, // was: due time wrapped, sent at once
        };
        for (String[] args : bad) {
            String[] all = new String[args.length + 3];
            all[0] = "run";
            all[1] = "--nats-url";
            all[2] = "nats://127.0.0.1:1"; // never reached: rejected before connecting
            System.arraycopy(args, 0, all, 3, args.length);
            int code = new CommandLine(new LoadgenCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(all);
            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
        }
    }
}
