package io.stampede.proxy;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.stampede.proxy.api.MessageRule;
import io.stampede.proxy.api.ProxyFault;
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

    /** Sections to run ({@code -Dbench.only=throughput,memory,...}); all by default. */
    private static final String ONLY = System.getProperty("bench.only", "throughput,latency,delay,load,memory,longdelay,admin,messages");
    /**
     * Classpath of the previous proxy ({@code io.stampede.chaos.proxy.ProxyMain}, built from the
     * main branch) for the "today's proxy" column; empty = that column is left out.
     */
    private static final String OLD_CP = System.getProperty("bench.oldProxyCp", "");

    private static boolean on(String section) {
        return Arrays.asList(ONLY.split(",")).contains(section);
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        try (NatsServer nats = NatsServer.start();
             ProxyProcess proxy = ProxyProcess.start(nats.port())) {
            String direct = nats.url();
            String proxied = "nats://127.0.0.1:" + proxy.listenPort();
            System.out.printf("nats-server %s, proxy :%d, %d B messages, %d cores%n",
                    direct, proxy.listenPort(), SIZE, Runtime.getRuntime().availableProcessors());
            if (on("throughput")) {
                throughput(nats, proxy, n);
            }
            if (on("latency")) {
                addedLatency(direct, proxied, "default");
                try (ProxyProcess busy = ProxyProcess.start(nats.port(), "--busy-poll-us=2000")) {
                    addedLatency(direct, "nats://127.0.0.1:" + busy.listenPort(), "busy-poll 2ms");
                }
            }
            if (on("delay")) {
                delayAccuracy(proxied, proxy);
            }
            if (on("load")) {
                heldUnderLoad(proxied, proxy);
            }
            if (on("memory")) {
                memory(nats);
            }
            if (on("longdelay")) {
                longDelayAtRate(nats);
            }
            if (on("admin")) {
                adminCalls(proxy);
            }
            if (on("messages")) {
                messageFaultRows(proxied, proxy);
            }
            System.out.println("proxy stats: " + proxy.stats().encode());
        }
    }

    /**
     * Direct, today's proxy, this proxy without a fault and with a message fault that matches
     * nothing: 5 interleaved rounds each, publish-only then pub+sub, medians and ratios to direct.
     */
    private static void throughput(NatsServer nats, ProxyProcess proxy, int n) throws Exception {
        List<String> c1Flags = ProxyProcess.C1_FLAGS;
        String direct = nats.url();
        String proxied = "nats://127.0.0.1:" + proxy.listenPort();
        try (ProxyProcess old = OLD_CP.isEmpty() ? null : ProxyProcess.start(OLD_CP, "io.stampede.chaos.proxy.ProxyMain", nats.port());
             ProxyProcess other = ProxyProcess.start(nats.port());
             ProxyProcess c1 = ProxyProcess.startWith(c1Flags, ProxyProcess.CLASSPATH, ProxyMain.class.getName(), nats.port())) {
            other.putFault("nomatch", new ProxyFault(100, 0, ProxyFault.Direction.BOTH, 0, false, null,
                    new MessageRule("nothing.matches.>", null, 0.5, 0.5, 0, null)));
            List<String> names = new ArrayList<>(List.of("direct"));
            List<String> urls = new ArrayList<>(List.of(direct));
            if (old != null) {
                names.add("today's proxy");
                urls.add("nats://127.0.0.1:" + old.listenPort());
            }
            names.add("new, no fault");
            urls.add(proxied);
            names.add("new, non-matching fault");
            urls.add("nats://127.0.0.1:" + other.listenPort());
            names.add("new, no fault, C1 JIT only");
            urls.add("nats://127.0.0.1:" + c1.listenPort());
            for (String u : urls) {
                publishOnly(u, n); // warm up every path
            }
            List<ProxyProcess> procs = new ArrayList<>();
            procs.add(null);
            if (old != null) {
                procs.add(old);
            }
            procs.add(proxy);
            procs.add(other);
            procs.add(c1);
            int rounds = Integer.getInteger("bench.rounds", 5);
            double[][] pub = new double[urls.size()][rounds];
            double[][] ps = new double[urls.size()][rounds];
            long[] cpuPub = new long[urls.size()];
            long[] cpuPs = new long[urls.size()];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < urls.size(); k++) {
                    int u = (k + r) % urls.size(); // rotate the order each round
                    long c0 = cpu(procs.get(u));
                    pub[u][r] = publishOnly(urls.get(u), n);
                    cpuPub[u] += cpu(procs.get(u)) - c0;
                }
            }
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < urls.size(); k++) {
                    int u = (k + r) % urls.size();
                    long c0 = cpu(procs.get(u));
                    ps[u][r] = pubSub(urls.get(u), n);
                    cpuPs[u] += cpu(procs.get(u)) - c0;
                }
            }
            System.out.printf("| throughput, 128 B, median of %d rotated rounds | publish-only msg/s | × direct | proxy CPU ns/msg | pub+sub received msg/s | × direct | proxy CPU ns/msg |%n", rounds);
            System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
            for (int u = 0; u < urls.size(); u++) {
                System.out.printf("| %s | %,.0f | %.2f× | %s | %,.0f | %.2f× | %s |%n", names.get(u), median(pub[u]), median(pub[u]) / median(pub[0]),
                        u == 0 ? "-" : String.format("%.0f", cpuPub[u] / (double) (rounds * (long) n)),
                        median(ps[u]), median(ps[u]) / median(ps[0]),
                        u == 0 ? "-" : String.format("%.0f", cpuPs[u] / (double) (rounds * (long) n)));
            }
            if (old != null) {
                int newIdx = names.indexOf("new, no fault");
                int nm = names.indexOf("new, non-matching fault");
                System.out.printf("new/today's: no fault publish %.2f× pub+sub %.2f×; non-matching fault publish %.2f× pub+sub %.2f×%n",
                        median(pub[newIdx]) / median(pub[1]), median(ps[newIdx]) / median(ps[1]),
                        median(pub[nm]) / median(pub[1]), median(ps[nm]) / median(ps[1]));
            }
            for (int u = 0; u < urls.size(); u++) {
                System.out.printf("   runs %-24s publish %s | pub+sub %s%n", names.get(u), fmt(pub[u]), fmt(ps[u]));
            }
            System.out.println("   non-matching fault counters: " + other.stats().getJsonObject("message_counters").encode());
        }
    }

    private static long cpu(ProxyProcess p) {
        return p == null ? 0 : p.cpuNanos();
    }

    private static void delayAccuracy(String proxied, ProxyProcess proxy) throws Exception {
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
    }

    /** 100k msg/s for 5 s with no fault through a fresh proxy: its peak RSS, then what it holds after. */
    private static void memory(NatsServer nats) throws Exception {
        try (ProxyProcess fresh = ProxyProcess.start(nats.port())) {
            String url = "nats://127.0.0.1:" + fresh.listenPort();
            long idle = fresh.stats().getLong("rss_bytes", 0L);
            long peak = 0;
            try (LatencyProbe p = new LatencyProbe(url, url, "mem")) {
                CompletableFuture<LatencyProbe.Sample> run = CompletableFuture.supplyAsync(() -> p.run(500_000, 100_000));
                while (!run.isDone()) {
                    peak = Math.max(peak, fresh.stats().getLong("rss_bytes", 0L));
                    Thread.sleep(250);
                }
                LatencyProbe.Sample s = run.get();
                System.out.printf("memory, 100k msg/s for 5 s, no fault (pub and sub through a fresh proxy): RSS idle %d MiB, peak %d MiB;"
                                + " p50 %.2f ms; lost %d%n", idle >> 20, peak >> 20, s.p50Ms(), p.published() - p.received());
            }
            Thread.sleep(500);
            JsonObject st = fresh.stats();
            System.out.printf("   after the connections closed: off-heap rings %d KiB, held %d KiB, direct buffers %d KiB, RSS %d MiB%n",
                    st.getJsonObject("memory").getLong("ring_bytes") >> 10, st.getJsonObject("memory").getLong("held_bytes") >> 10,
                    st.getLong("direct_buffer_bytes", 0L) >> 10, st.getLong("rss_bytes", 0L) >> 20);
        }
    }

    /** The case today's proxy lost: 1 000 ms each way at 100k msg/s (byte path). */
    private static void longDelayAtRate(NatsServer nats) throws Exception {
        for (int k = 0; k < 2; k++) {
            boolean oldOne = k == 0;
            if (oldOne && OLD_CP.isEmpty()) {
                continue;
            }
            try (ProxyProcess px = oldOne ? ProxyProcess.start(OLD_CP, "io.stampede.chaos.proxy.ProxyMain", nats.port())
                    : ProxyProcess.start(nats.port())) {
                String url = "nats://127.0.0.1:" + px.listenPort();
                try (LatencyProbe p = new LatencyProbe(url, url, "long")) {
                    p.run(2000, 1000);
                    px.putFault("long", new ProxyFault(1000, 0, ProxyFault.Direction.BOTH, 0, false, null));
                    px.resetPeaks();
                    long t0 = System.nanoTime();
                    LatencyProbe.Sample s = p.run(300_000, 100_000);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    JsonObject st = px.stats();
                    // the run ends when the last message arrived, 2 s (the delay both ways) after the last publish
                    System.out.printf("%s: 1 000 ms each way at 100k msg/s for 3 s: %,.0f msg/s through (300k / (run time - 2 s)), p50 %.0f ms p99 %.0f ms,"
                                    + " lost %d, read stalls %d, held max %d MiB, RSS %d MiB%s%n",
                            oldOne ? "today's proxy" : "new proxy", 300_000 / (secs - 2.0), s.p50Ms(), s.percentileMs(99),
                            p.published() - p.received(), st.getLong("read_stalls"), st.getLong("queued_bytes_max") >> 20,
                            st.getLong("rss_bytes", 0L) >> 20,
                            st.containsKey("memory") ? ", memory " + st.getJsonObject("memory").encode() : "");
                    px.removeFault("long");
                } catch (AssertionError e) {
                    System.out.println((oldOne ? "today's proxy" : "new proxy") + " 1 000 ms at 100k msg/s: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Admin calls as an injector makes them: PUT a fault (with expires_at, as the injector sets it),
     * then DELETE it. Rounds of 100 pairs rotate over the clients (JDK HttpClient with HTTP/1.1
     * forced, as the injector used it; curl with keep-alive for reference; the injectors' own
     * client, {@code AdminHttp}, lives in chaos-api: {@code ProxyAdminClientBench} times it) and, with {@code -Dbench.adminOtherCp=<an older build's proxy.jar>}, over that
     * proxy too; the first round is a warm-up. p50 / p99 of all the other rounds.
     */
    private static void adminCalls(ProxyProcess proxy) throws Exception {
        String otherCp = System.getProperty("bench.adminOtherCp", "");
        int rounds = Integer.getInteger("bench.adminRounds", 6);
        int pairs = 100;
        ProxyFault f = new ProxyFault(50, 0.1, ProxyFault.Direction.BOTH, 0, false,
                java.time.Instant.now().plusSeconds(3600));
        String body = f.toJson().encode();
        Path bodyFile = java.nio.file.Files.createTempFile("admin-body", ".json");
        java.nio.file.Files.writeString(bodyFile, body);
        try (ProxyProcess other = otherCp.isEmpty() ? null
                : ProxyProcess.start(otherCp, ProxyMain.class.getName(), proxy.upstreamPort)) {
            List<ProxyProcess> procs = other == null ? List.of(proxy) : List.of(other, proxy);
            List<String> procNames = other == null ? List.of("this proxy") : List.of("other build", "this proxy");
            List<String> clients = List.of("JDK HttpClient (HTTP/1.1)", "curl (keep-alive)");
            java.util.Map<String, List<Double>> put = new java.util.LinkedHashMap<>();
            java.util.Map<String, List<Double>> del = new java.util.LinkedHashMap<>();
            List<HttpClient> jdk = new ArrayList<>();
            for (ProxyProcess p : procs) {
                jdk.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
            }
            for (int r = 0; r < rounds; r++) {
                for (int pi = 0; pi < procs.size(); pi++) {
                    for (int ci = 0; ci < clients.size(); ci++) {
                        int c = (ci + r) % clients.size(); // rotate the order
                        String key = procNames.get(pi) + " | " + clients.get(c);
                        List<Double> pt = put.computeIfAbsent(key, k -> new ArrayList<>());
                        List<Double> dt = del.computeIfAbsent(key, k -> new ArrayList<>());
                        ProxyProcess p = procs.get(pi);
                        URI u = p.admin.resolve("/faults/adm");
                        HttpClient jc = jdk.get(pi);
                        double[][] t = switch (c) {
                            case 0 -> pairs(pairs, () -> jdkCall(jc, HttpRequest.newBuilder(u)
                                    .header("Content-Type", "application/json")
                                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build()),
                                    () -> jdkCall(jc, HttpRequest.newBuilder(u).DELETE().build()));
                            default -> curlPairs(pairs, u, bodyFile);
                        };
                        if (r > 0) {
                            Arrays.stream(t[0]).forEach(pt::add);
                            Arrays.stream(t[1]).forEach(dt::add);
                        }
                    }
                }
            }
            for (String k : put.keySet()) {
                double[] a = put.get(k).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                double[] b = del.get(k).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                System.out.printf("admin calls %-45s PUT p50 %.2f ms p99 %.2f ms | DELETE p50 %.2f ms p99 %.2f ms (%d each)%n",
                        k, a[a.length / 2], a[(int) (a.length * 0.99)], b[b.length / 2], b[(int) (b.length * 0.99)], a.length);
            }
            for (int pi = 0; pi < procs.size(); pi++) {
                System.out.printf("admin calls %-45s inside the proxy (all calls) %s µs%n", procNames.get(pi),
                        procs.get(pi).stats().getJsonObject("admin_call_us").encode());
            }
        } finally {
            java.nio.file.Files.deleteIfExists(bodyFile);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    /** {@code n} times put then delete: their times in ms. */
    private static double[][] pairs(int n, Call put, Call delete) throws Exception {
        double[][] t = new double[2][n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            put.run();
            long t1 = System.nanoTime();
            delete.run();
            t[0][i] = (t1 - t0) / 1e6;
            t[1][i] = (System.nanoTime() - t1) / 1e6;
        }
        return t;
    }

    private static void jdkCall(HttpClient c, HttpRequest r) throws Exception {
        HttpResponse<String> resp = c.send(r, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IllegalStateException(resp.statusCode() + " " + resp.body());
        }
    }

    /** One curl process, {@code n} PUT + DELETE pairs on one keep-alive connection: curl's time_total of each. */
    private static double[][] curlPairs(int n, URI u, Path bodyFile) throws Exception {
        StringBuilder cfg = new StringBuilder("silent\n");
        for (int i = 0; i <= n; i++) { // one more pair: the first includes the connect
            cfg.append("url = \"").append(u).append("\"\nrequest = \"PUT\"\nheader = \"Content-Type: application/json\"\n")
                    .append("data-binary = \"@").append(bodyFile).append("\"\noutput = \"/dev/null\"\n")
                    .append("write-out = \"%{time_total}\\n\"\nnext\n");
            cfg.append("url = \"").append(u).append("\"\nrequest = \"DELETE\"\noutput = \"/dev/null\"\n")
                    .append("write-out = \"%{time_total}\\n\"\n").append(i < n ? "next\n" : "");
        }
        Path cfgFile = java.nio.file.Files.createTempFile("curl", ".cfg");
        try {
            java.nio.file.Files.writeString(cfgFile, cfg);
            Process p = new ProcessBuilder("curl", "-K", cfgFile.toString()).redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            p.waitFor(60, TimeUnit.SECONDS);
            if (lines.size() != 2 * (n + 1)) {
                throw new IllegalStateException("curl: " + lines);
            }
            double[][] t = new double[2][n];
            for (int i = 0; i < n; i++) {
                t[0][i] = Double.parseDouble(lines.get(2 * (i + 1)).trim()) * 1e3;
                t[1][i] = Double.parseDouble(lines.get(2 * (i + 1) + 1).trim()) * 1e3;
            }
            return t;
        } finally {
            java.nio.file.Files.deleteIfExists(cfgFile);
        }
    }

    /** One row per message fault kind with what a jnats pair observed. */
    private static void messageFaultRows(String url, ProxyProcess proxy) throws Exception {
        System.out.println("| message fault (to_server, 2 000 msgs at 1k msg/s on m.x, m.y untouched) | observed m.x | observed m.y | counters |");
        System.out.println("| --- | --- | --- | --- |");
        record Row(String name, ProxyFault fault) {}
        List<Row> rows = List.of(
                new Row("delay 100 ms on m.x", new ProxyFault(100, 0, ProxyFault.Direction.TO_SERVER, 0, false, null,
                        new MessageRule("m.x", null, 0, 0, 0, null))),
                new Row("drop 10 % on m.x", new ProxyFault(0, 0, ProxyFault.Direction.TO_SERVER, 0, false, null,
                        new MessageRule("m.x", null, 0.1, 0, 0, 1L))),
                new Row("duplicate 10 % on m.x", new ProxyFault(0, 0, ProxyFault.Direction.TO_SERVER, 0, false, null,
                        new MessageRule("m.x", null, 0, 0.1, 0, 1L))),
                new Row("reorder window 20 ms on m.x", new ProxyFault(0, 0, ProxyFault.Direction.TO_SERVER, 0, false, null,
                        new MessageRule("m.x", null, 0, 0, 20, 1L))));
        for (Row row : rows) {
            try (Connection pub = Nats.connect(options(url)); Connection sub = Nats.connect(options(url))) {
                long[][] lat = new long[2][4000];
                int[] cnt = new int[2];
                long[] lastSeq = {-1, -1};
                int[] outOfOrder = new int[2];
                Dispatcher d = sub.createDispatcher(m -> {
                    int w = m.getSubject().equals("m.x") ? 0 : 1;
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(m.getData());
                    long seq = b.getLong(0);
                    long sent = b.getLong(8);
                    if (cnt[w] < lat[w].length) {
                        lat[w][cnt[w]] = System.nanoTime() - sent;
                    }
                    cnt[w]++;
                    if (seq < lastSeq[w]) {
                        outOfOrder[w]++;
                    }
                    lastSeq[w] = Math.max(lastSeq[w], seq);
                });
                d.subscribe("m.x");
                d.subscribe("m.y");
                sub.flush(Duration.ofSeconds(5));
                proxy.putFault("row", row.fault());
                long start = System.nanoTime();
                for (int i = 0; i < 2000; i++) {
                    long at = start + i * 1_000_000L;
                    while (System.nanoTime() < at) {
                        LockSupport.parkNanos(50_000);
                    }
                    for (String subj : new String[] {"m.x", "m.y"}) {
                        pub.publish(subj, java.nio.ByteBuffer.allocate(SIZE).putLong(i).putLong(System.nanoTime()).array());
                    }
                }
                pub.flush(Duration.ofSeconds(10));
                Thread.sleep(500);
                JsonObject c = proxy.stats().getJsonObject("message_counters").getJsonObject("row");
                proxy.removeFault("row");
                String[] obs = new String[2];
                for (int w = 0; w < 2; w++) {
                    long[] l = Arrays.copyOf(lat[w], Math.min(cnt[w], lat[w].length));
                    Arrays.sort(l);
                    obs[w] = String.format("%d received, p50 %.2f ms, %d out of order", cnt[w],
                            l.length == 0 ? 0 : l[l.length / 2] / 1e6, outOfOrder[w]);
                }
                System.out.printf("| %s | %s | %s | %s |%n", row.name(), obs[0], obs[1], c == null ? "-" : c.encode());
            }
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
        final URI admin;
        private final int listenPort;
        int upstreamPort;
        private final HttpClient http = HttpClient.newHttpClient();

        private ProxyProcess(Process process, int listenPort, int adminPort) {
            this.process = process;
            this.listenPort = listenPort;
            this.admin = URI.create("http://127.0.0.1:" + adminPort);
        }

        /** The JVM flags of the launcher's proxy part (./stampede), for both proxies. */
        static final List<String> JVM_FLAGS = List.of(System.getProperty("bench.proxyJvm",
                "-XX:+UseSerialGC -Xms4m -Xmx16m -Xmn3m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:MaxDirectMemorySize=320m"
                        + " -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=48m -Xss256k -Xshare:off")
                .trim().split("\\s+"));
        /** The launcher's flags with the C1 JIT only (about 7 MiB less resident, less throughput). */
        static final List<String> C1_FLAGS = java.util.stream.Stream.concat(JVM_FLAGS.stream(),
                java.util.stream.Stream.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1")).toList();
        /** Today's proxy runs with the flags the launcher gave it. */
        static final List<String> OLD_JVM_FLAGS = List.of(System.getProperty("bench.oldProxyJvm",
                "-XX:+UseSerialGC -Xmx64m -XX:MaxDirectMemorySize=512m").trim().split("\\s+"));

        /**
         * The new proxy's class path: the shaded jar as the launcher runs it (so the tests'
         * logging configuration does not count in its memory), else this JVM's class path.
         */
        static final String CLASSPATH = System.getProperty("bench.proxyCp",
                java.nio.file.Files.isRegularFile(Path.of("proxy/target/proxy.jar")) ? "proxy/target/proxy.jar"
                        : System.getProperty("java.class.path"));

        static ProxyProcess start(int upstreamPort, String... extraArgs) throws Exception {
            return start(CLASSPATH, ProxyMain.class.getName(), upstreamPort, extraArgs);
        }

        static ProxyProcess start(String classpath, String mainClass, int upstreamPort, String... extraArgs) throws Exception {
            return startWith(mainClass.equals(ProxyMain.class.getName()) ? JVM_FLAGS : OLD_JVM_FLAGS, classpath, mainClass,
                    upstreamPort, extraArgs);
        }

        static ProxyProcess startWith(List<String> flags, String classpath, String mainClass, int upstreamPort,
                                      String... extraArgs) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(flags);
            cmd.addAll(List.of("-cp", classpath, mainClass,
                    "--listen=127.0.0.1:0", "--upstream=127.0.0.1:" + upstreamPort, "--admin=127.0.0.1:0"));
            cmd.addAll(List.of(extraArgs));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("MALLOC_ARENA_MAX", "2"); // as the launcher: fewer glibc arenas, less RSS
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
            ProxyProcess pp = new ProxyProcess(p, Integer.parseInt(parts[1].substring("listen=".length())),
                    Integer.parseInt(parts[2].substring("admin=".length())));
            pp.upstreamPort = upstreamPort;
            return pp;
        }

        int listenPort() {
            return listenPort;
        }

        /** CPU time (user + system) the proxy process used so far, in nanoseconds (Linux). */
        long cpuNanos() {
            try {
                String stat = java.nio.file.Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // clock ticks of 10 ms
            } catch (java.io.IOException | RuntimeException e) {
                return 0;
            }
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
