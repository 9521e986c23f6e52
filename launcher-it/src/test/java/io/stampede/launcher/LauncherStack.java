package io.stampede.launcher;

import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The whole stack under the real {@code ./stampede} launcher, on free ports, with its var/
 * directory ({@code STAMPEDE_VAR_DIR}) in a temp dir, so it never meets another stack on this
 * machine. Runs the packaged jars; it never builds them.
 */
final class LauncherStack {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    static final Path LAUNCHER = ROOT.resolve("stampede");
    static final List<String> PARTS = List.of("nats", "proxy", "gateway", "agent", "chaos-api", "prometheus");

    final Path varDir;
    final int natsPort = FreePorts.next();
    final int natsMonitorPort = FreePorts.next();
    final int proxyPort = FreePorts.next();
    final int proxyAdminPort = FreePorts.next();
    final int gatewayPort = FreePorts.next();
    final int agentPort = FreePorts.next();
    final int stampedePort = FreePorts.next();
    final int prometheusPort = FreePorts.next();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();

    /** What one launcher command did. */
    record Run(int exitCode, String output, Duration elapsed) {}

    LauncherStack() {
        for (String jar : List.of("chaos-api/target/chaos-api.jar", "proxy/target/proxy.jar", "demo/target/gateway.jar", "demo/target/agent.jar")) {
            if (!Files.isRegularFile(ROOT.resolve(jar))) {
                throw new IllegalStateException(jar + " is missing: package the modules first (mvn -B -DskipTests package)");
            }
        }
        try {
            varDir = Files.createTempDirectory("stampede-launcher-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("STAMPEDE_VAR_DIR", varDir.toString());
        env.put("NATS_PORT", Integer.toString(natsPort));
        env.put("NATS_MONITOR_PORT", Integer.toString(natsMonitorPort));
        env.put("PROXY_PORT", Integer.toString(proxyPort));
        env.put("PROXY_ADMIN_PORT", Integer.toString(proxyAdminPort));
        env.put("GATEWAY_PORT", Integer.toString(gatewayPort));
        env.put("AGENT_PORT", Integer.toString(agentPort));
        env.put("STAMPEDE_PORT", Integer.toString(stampedePort));
        env.put("NATS_SERVER_BIN", NatsServer.binary());
        // small and quick to start: five JVMs share two cores with other work
        env.put("STAMPEDE_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        env.put("STAMPEDE_BASELINE", "off");
        // the packaged jars only: `up` must not run Maven in the middle of the build that tests it
        env.put("STAMPEDE_BUILD", "never");
        env.put("PROMETHEUS_PORT", Integer.toString(prometheusPort));
        // a test that needs Prometheus turns it on (STAMPEDE_PROMETHEUS=on in its extra env)
        env.put("STAMPEDE_PROMETHEUS", "off");
        return env;
    }

    /** Runs {@code ./stampede args...}; kills the launcher (not what it started) after the timeout. */
    Run run(Duration timeout, Map<String, String> extraEnv, String... args) {
        Path out = varDir.resolve("launcher-" + System.nanoTime() + ".out");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // nothing of an enclosing stack's configuration leaks in
        pb.environment().keySet().removeIf(k -> k.startsWith("STAMPEDE_") || k.startsWith("NATS_")
                || k.startsWith("DEMO_") || k.endsWith("_PORT"));
        pb.environment().putAll(env());
        pb.environment().putAll(extraEnv);
        long start = System.nanoTime();
        try {
            Process p = pb.start();
            boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (!exited) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            System.out.printf("$ ./stampede %s -> exit %s after %d ms%n%s%n", String.join(" ", args),
                    exited ? p.exitValue() : "none (killed)", elapsed.toMillis(), text);
            return new Run(exited ? p.exitValue() : -1, exited ? text : text + "\n<launcher killed after " + timeout + ">", elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Run run(Duration timeout, String... args) {
        return run(timeout, Map.of(), args);
    }

    /** The pid the launcher recorded for a part, if any. */
    Optional<Long> pid(String part) {
        Path f = varDir.resolve("run").resolve(part + ".pid");
        try {
            return Optional.of(Long.parseLong(Files.readString(f).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The state letter of /proc/pid/stat: R, S, T (stopped: SIGSTOP), Z, ... or "-" when gone. */
    static String procState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "-";
        }
    }

    Path log(String part) {
        return varDir.resolve("log").resolve(part + ".log");
    }

    String logs() {
        StringBuilder sb = new StringBuilder();
        for (String part : PARTS) {
            sb.append("\n--- ").append(log(part)).append(" (last 30 lines) ---\n");
            try {
                List<String> lines = Files.readAllLines(log(part));
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
            } catch (IOException e) {
                sb.append("<none>\n");
            }
        }
        return sb.toString();
    }

    HttpResponse<String> get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
    }

    HttpResponse<String> post(int port, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return http.send(b.timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean healthy(int port) {
        try {
            return get(port, "/healthz").statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Stops everything; then, as a last resort, SIGKILLs any pid still recorded. */
    void down() {
        Run r = run(Duration.ofSeconds(90), "down");
        if (r.exitCode() != 0) {
            System.err.println("stampede down: exit " + r.exitCode() + "\n" + r.output());
        }
        for (String part : PARTS) {
            pid(part).flatMap(ProcessHandle::of)
                    .filter(ph -> ph.info().commandLine().map(c -> c.contains(ROOT.toString()) || c.contains(varDir.toString())).orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
        if (!Boolean.getBoolean("stampede.keepVarDir")) {
            try (var walk = Files.walk(varDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temp dir
            }
        }
    }
}
