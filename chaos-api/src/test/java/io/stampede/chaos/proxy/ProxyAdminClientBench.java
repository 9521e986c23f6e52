package io.stampede.chaos.proxy;

import io.stampede.proxy.api.ProxyFault;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Admin calls as the injectors make them: 600 PUT + DELETE pairs (after 100 of warm-up) through
 * {@link ProxyAdminClient} against each proxy jar given, each run with the launcher's JVM flags
 * (no upstream needed). Not a test: run it by hand, e.g.
 * <pre>
 * mvn -B -o -q -pl chaos-api dependency:build-classpath -Dmdep.outputFile=/tmp/chaos.cp
 * java -cp chaos-api/target/test-classes:chaos-api/target/classes:$(cat /tmp/chaos.cp) \
 *      io.stampede.chaos.proxy.ProxyAdminClientBench proxy/target/proxy.jar [another build's proxy.jar ...]
 * </pre>
 */
public final class ProxyAdminClientBench {
    private ProxyAdminClientBench() {}

    public static void main(String[] args) throws Exception {
        int warmup = 100;
        int pairs = 600;
        for (String jar : args) {
            Process p = new ProcessBuilder(List.of("java", "-XX:+UseSerialGC", "-Xms4m", "-Xmx16m", "-Xmn3m", "-Xshare:off",
                    "-XX:MaxDirectMemorySize=320m", "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=48m", "-Xss256k",
                    "-jar", jar, "--listen=127.0.0.1:0", "--upstream=127.0.0.1:1", "--admin=127.0.0.1:0"))
                    .redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null && !line.startsWith("NATS_PROXY_READY")) {
                // its log lines
            }
            if (line == null) {
                throw new IllegalStateException("proxy " + jar + " did not start");
            }
            Thread drain = new Thread(() -> {
                try {
                    while (r.readLine() != null) {
                        // keep its stdout flowing
                    }
                } catch (java.io.IOException ignored) {
                    // gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            URI admin = URI.create("http://127.0.0.1:" + line.split("admin=")[1].trim());
            ProxyFault f = new ProxyFault(50, 0.1, ProxyFault.Direction.BOTH, 0, false, Instant.now().plusSeconds(3600));
            ProxyAdminClient client = new ProxyAdminClient(admin);
            List<Double> put = new ArrayList<>();
            List<Double> del = new ArrayList<>();
            for (int i = 0; i < warmup + pairs; i++) {
                long t0 = System.nanoTime();
                client.put("exp_1", f);
                long t1 = System.nanoTime();
                client.delete("exp_1", null);
                long t2 = System.nanoTime();
                if (i >= warmup) {
                    put.add((t1 - t0) / 1e6);
                    del.add((t2 - t1) / 1e6);
                }
            }
            double[] a = put.stream().mapToDouble(x -> x).sorted().toArray();
            double[] b = del.stream().mapToDouble(x -> x).sorted().toArray();
            System.out.printf("proxy %s, ProxyAdminClient: PUT p50 %.2f ms p99 %.2f ms | DELETE p50 %.2f ms p99 %.2f ms (%d each)%n",
                    jar, a[a.length / 2], a[(int) (a.length * .99)], b[b.length / 2], b[(int) (b.length * .99)], a.length);
            p.destroy();
            p.waitFor();
        }
        System.exit(0);
    }
}
