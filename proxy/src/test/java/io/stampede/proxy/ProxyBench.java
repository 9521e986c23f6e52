package io.stampede.proxy;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.stampede.testkit.NatsServer;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark: the proxy against direct NATS in one run, on the same nats-server.
 *
 * <pre>
 *  jnats pub ──► [proxy] ──► nats-server ──► [proxy] ──► jnats sub      (or both direct)
 * </pre>
 *
 * The proxy runs as its own process ({@link ProxyMain}, as in production), so the clients' garbage
 * collection in this JVM does not pause it; faults go through its admin API.
 *
 * Prints publish-only and pub+sub throughput (128 B) direct vs through the proxy, added latency
 * at 1k msg/s without a fault, the error of a 100 ms delay each way, and the p50 error of 20 ms
 * jitter at 100 and 1k msg/s. Run: see proxy/README.md. Optional args: messages for the
 * throughput runs (default 300000).
 */
public final class ProxyBench {
    private static final int SIZE = 128;

    private ProxyBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        try (NatsServer nats = NatsServer.start();
             ProxyProcess proxy = ProxyProcess.start(nats.port())) {
            String direct = nats.url();
            String proxied = "nats://127.0.0.1:" + proxy.listenPort();
            System.out.printf("nats-server %s, proxy :%d, %d B messages, %d cores%n",
                    direct, proxy.listenPort(), SIZE, Runtime.getRuntime().availableProcessors());

            publishOnly(direct, n); // warm up both paths
            publishOnly(proxied, n);
            double[] pd = new double[5];
            double[] pp = new double[5];
            for (int r = 0; r < pd.length; r++) {
                pd[r] = publishOnly(direct, n);
                pp[r] = publishOnly(proxied, n);
            }
            report("publish-only msg/s", pd, pp);
            double[] sd = new double[5];
            double[] sp = new double[5];
            for (int r = 0; r < sd.length; r++) {
                sd[r] = pubSub(direct, n);
                sp[r] = pubSub(proxied, n);
            }
            report("pub+sub received msg/s", sd, sp);

            addedLatency(direct, proxied, "default");
            try (ProxyProcess busy = ProxyProcess.start(nats.port(), "--busy-poll-us=300")) {
                addedLatency(direct, "nats://127.0.0.1:" + busy.listenPort(), "busy-poll 300us");
            }
            try (ProxyProcess busy = ProxyProcess.start(nats.port(), "--busy-poll-us=2000")) {
                addedLatency(direct, "nats://127.0.0.1:" + busy.listenPort(), "busy-poll 2ms");
            }

            try (LatencyProbe p = new LatencyProbe(proxied, proxied, "acc")) {
                p.run(500, 1000);
                double base = p.run(200, 100).p50Ms();
                proxy.putFault("bench-delay", new ProxyFault(100, 0, ProxyFault.Direction.BOTH, 0, false, null));
                proxy.resetPeaks();
                p.run(100, 100); // the first chunks were held under the change
                LatencyProbe.Sample s = p.run(300, 100);
                JsonObject late = proxy.stats().getJsonObject("delay_lateness_us");
                proxy.removeFault("bench-delay");
                System.out.printf("100 ms delay both ways (expect +200 ms): end-to-end error p50 %+.2f ms p99 %+.2f ms,"
                                + " min latency %.2f ms (never early: %s)%n",
                        s.p50Ms() - base - 200, s.percentileMs(99) - base - 200, s.minMs(), s.minMs() >= 200);
                System.out.printf("   proxy release lateness to_server %s | to_client %s (µs)%n",
                        late.getJsonObject("to_server").encode(), late.getJsonObject("to_client").encode());

                for (int rate : new int[] {100, 1000}) {
                    double b = p.run(rate, rate).p50Ms();
                    proxy.putFault("bench-jitter", new ProxyFault(100, 0.2, ProxyFault.Direction.TO_SERVER, 0, false, null));
                    LatencyProbe.Sample j = p.run(rate * 3, rate);
                    proxy.removeFault("bench-jitter");
                    System.out.printf("100 ms ± 20 ms jitter at %5d msg/s: p50 error %+.2f ms (p10 %+.1f, p90 %+.1f ms)%n",
                            rate, j.p50Ms() - b - 100, j.percentileMs(10) - b - 100, j.percentileMs(90) - b - 100);
                }
                if (p.badOrder() != 0 || p.badContent() != 0 || p.received() != p.published()) {
                    System.out.printf("ERROR: order %d content %d lost %d%n", p.badOrder(), p.badContent(),
                            p.published() - p.received());
                }
            }
            heldUnderLoad(proxied, proxy);
            System.out.println("proxy stats: " + proxy.stats().encode());
        }
    }

    /** Alternates short rounds so machine noise hits both paths alike; medians of the rounds. */
    private static void addedLatency(String direct, String proxied, String mode) throws Exception {
        try (LatencyProbe d = new LatencyProbe(direct, direct, "lat.d");
             LatencyProbe p = new LatencyProbe(proxied, proxied, "lat.p")) {
            d.run(2000, 1000);
            p.run(2000, 1000);
            int rounds = 5;
            double[][] v = new double[4][rounds];
            for (int r = 0; r < rounds; r++) {
                LatencyProbe.Sample a = d.run(2000, 1000);
                LatencyProbe.Sample b = p.run(2000, 1000);
                v[0][r] = a.p50Ms() * 1e3;
                v[1][r] = a.percentileMs(99) * 1e3;
                v[2][r] = b.p50Ms() * 1e3;
                v[3][r] = b.percentileMs(99) * 1e3;
            }
            System.out.printf("latency 1k msg/s, no fault, proxy %-14s direct p50 %.1f µs p99 %.1f µs | proxy p50 %.1f µs p99 %.1f µs"
                            + " | added p50 %+.1f µs p99 %+.1f µs (median of %d rounds of 2000; pub and sub both through the proxy)%n",
                    mode, median(v[0]), median(v[1]), median(v[2]), median(v[3]),
                    median(v[2]) - median(v[0]), median(v[3]) - median(v[1]), rounds);
        }
    }

    /** 100k msg/s through a 100 ms delay each way: keeps up, nothing lost, memory bounded. */
    private static void heldUnderLoad(String url, ProxyProcess proxy) throws Exception {
        proxy.putFault("bench-load", new ProxyFault(100, 0, ProxyFault.Direction.BOTH, 0, false, null));
        proxy.resetPeaks();
        try (LatencyProbe p = new LatencyProbe(url, url, "load")) {
            long t0 = System.nanoTime();
            LatencyProbe.Sample s = p.run(200_000, 100_000);
            double secs = (System.nanoTime() - t0) / 1e9;
            JsonObject st = proxy.stats();
            System.out.printf("100k msg/s for 2 s through 100 ms each way: took %.2f s, latency p50 %.1f ms p99 %.1f ms,"
                                    + " lost %d, out of order %d, altered %d, proxy queued max %d KiB (read stalls %d), proxy RSS %d MiB, direct buffers %d KiB%n",
                    secs, s.p50Ms(), s.percentileMs(99), p.published() - p.received(), p.badOrder(), p.badContent(),
                    st.getLong("queued_bytes_max") >> 10, st.getLong("read_stalls"), st.getLong("rss_bytes", 0L) >> 20,
                    st.getLong("direct_buffer_bytes", 0L) >> 10);
        } catch (AssertionError e) {
            System.out.println("100k msg/s through 100 ms: " + e.getMessage());
        } finally {
            proxy.removeFault("bench-load");
        }
    }

    private static void report(String what, double[] direct, double[] proxied) {
        double d = median(direct);
        double p = median(proxied);
        System.out.printf("%-24s direct %,.0f | proxy %,.0f | ratio %.2f× (runs: direct %s proxy %s)%n",
                what, d, p, p / d, fmt(direct), fmt(proxied));
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(String.format("%,.0f ", x));
        }
        return b.toString().trim();
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static Options options(String url) {
        return new Options.Builder().server(url).maxMessagesInOutgoingQueue(1_000_000).build();
    }

    /** Messages per second from the first publish until the server acknowledged a flush. */
    private static double publishOnly(String url, int n) throws Exception {
        byte[] payload = new byte[SIZE];
        try (Connection c = Nats.connect(options(url))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                c.publish("tp", payload);
            }
            c.flush(Duration.ofSeconds(60));
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Messages per second received by a subscriber while a publisher sends as fast as it can. */
    private static double pubSub(String url, int n) throws Exception {
        byte[] payload = new byte[SIZE];
        AtomicLong got = new AtomicLong();
        try (Connection sub = Nats.connect(options(url)); Connection pub = Nats.connect(options(url))) {
            Dispatcher d = sub.createDispatcher(m -> got.incrementAndGet());
            d.subscribe("ps");
            d.setPendingLimits(-1, -1);
            sub.flush(Duration.ofSeconds(5));
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                pub.publish("ps", payload);
            }
            pub.flush(Duration.ofSeconds(60));
            long deadline = System.nanoTime() + 30_000_000_000L;
            long last = -1;
            long lastChange = System.nanoTime();
            while (got.get() < n && System.nanoTime() < deadline) {
                long g = got.get();
                if (g != last) {
                    last = g;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > 2_000_000_000L) {
                    break; // the server dropped the rest (slow consumer)
                }
                LockSupport.parkNanos(200_000);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (got.get() < n) {
                System.out.printf("   (pub+sub %s: received %d of %d, slow consumer)%n", url, got.get(), n);
            }
            return got.get() / secs;
        }
    }

    /** ProxyMain in its own JVM, driven through the admin API. */
    static final class ProxyProcess implements AutoCloseable {
        private final Process process;
        private final URI admin;
        private final int listenPort;
        private final HttpClient http = HttpClient.newHttpClient();

        private ProxyProcess(Process process, int listenPort, int adminPort) {
            this.process = process;
            this.listenPort = listenPort;
            this.admin = URI.create("http://127.0.0.1:" + adminPort);
        }

        static ProxyProcess start(int upstreamPort, String... extraArgs) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-Xms64m", "-Xmx64m", "-XX:MaxDirectMemorySize=512m",
                    "-cp", System.getProperty("java.class.path"), ProxyMain.class.getName(),
                    "--listen=127.0.0.1:0", "--upstream=127.0.0.1:" + upstreamPort, "--admin=127.0.0.1:0"));
            cmd.addAll(List.of(extraArgs));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("stampede.test.log", "target/bench-proxy.jsonl"); // keep the test log file apart
            Process p = pb.start();
            CompletableFuture<String> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("NATS_PROXY_READY")) {
                            ready.complete(line);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // process gone
                }
                ready.completeExceptionally(new IllegalStateException("proxy exited before it was ready"));
            }, "proxy-stdout");
            reader.setDaemon(true);
            reader.start();
            String line = ready.get(30, TimeUnit.SECONDS); // NATS_PROXY_READY listen=N admin=M
            String[] parts = line.split(" ");
            return new ProxyProcess(p, Integer.parseInt(parts[1].substring("listen=".length())),
                    Integer.parseInt(parts[2].substring("admin=".length())));
        }

        int listenPort() {
            return listenPort;
        }

        void putFault(String id, ProxyFault fault) throws Exception {
            send(HttpRequest.newBuilder(admin.resolve("/faults/" + id))
                    .PUT(HttpRequest.BodyPublishers.ofString(fault.toJson().encode())).build());
        }

        void removeFault(String id) throws Exception {
            send(HttpRequest.newBuilder(admin.resolve("/faults/" + id)).DELETE().build());
        }

        void resetPeaks() throws Exception {
            send(HttpRequest.newBuilder(admin.resolve("/stats/reset")).POST(HttpRequest.BodyPublishers.noBody()).build());
        }

        JsonObject stats() throws Exception {
            return send(HttpRequest.newBuilder(admin.resolve("/stats")).GET().build());
        }

        private JsonObject send(HttpRequest r) throws Exception {
            HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                throw new IllegalStateException(resp.statusCode() + " " + resp.body());
            }
            return new JsonObject(resp.body());
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
