package io.stampede.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A cluster of real nats-server processes on 127.0.0.1 (core NATS, no JetStream): every server
 * has a free client, cluster and monitoring port and solicits routes to all the others. Ready
 * when every server's {@code /routez} shows a route to each of the others. Use in
 * try-with-resources.
 */
public final class NatsCluster implements AutoCloseable {
    private static final Pattern NUM_ROUTES = Pattern.compile("\"num_routes\"\\s*:\\s*(\\d+)");
    private final List<NatsServer> servers = new ArrayList<>();
    private final List<Integer> monitorPorts = new ArrayList<>();

    private NatsCluster() {}

    public static NatsCluster start(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("a cluster has at least 2 servers, got " + size);
        }
        NatsCluster c = new NatsCluster();
        List<Integer> clusterPorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            clusterPorts.add(FreePorts.next());
            c.monitorPorts.add(FreePorts.next());
        }
        String name = "stampede-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
        try {
            for (int i = 0; i < size; i++) {
                int self = i;
                String routes = clusterPorts.stream().filter(p -> p.intValue() != clusterPorts.get(self))
                        .map(p -> "nats://127.0.0.1:" + p).collect(Collectors.joining(","));
                c.servers.add(NatsServer.start(false, List.of(
                        "--server_name", "node-" + i, "--cluster_name", name,
                        "--cluster", "nats://127.0.0.1:" + clusterPorts.get(i), "--routes", routes,
                        "-m", Integer.toString(c.monitorPorts.get(i)))));
            }
            for (int i = 0; i < size; i++) {
                int node = i;
                Await.until("node-" + i + " routed to the other " + (size - 1) + " (log: " + c.servers.get(i).logFile() + ")",
                        Duration.ofSeconds(20), () -> c.numRoutes(node) >= size - 1);
            }
        } catch (RuntimeException | AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    public int size() {
        return servers.size();
    }

    public NatsServer server(int i) {
        return servers.get(i);
    }

    /** Client URL of server i. */
    public String url(int i) {
        return servers.get(i).url();
    }

    /** Every server's client URL, comma-separated: the seed list a client is given. */
    public String urls() {
        return servers.stream().map(NatsServer::url).collect(Collectors.joining(","));
    }

    /** Server i's monitoring endpoint, e.g. {@code monitor(0, "/connz")}: the JSON body. */
    public String monitor(int i, String path) {
        try {
            HttpURLConnection h = (HttpURLConnection) URI.create("http://127.0.0.1:" + monitorPorts.get(i) + path).toURL()
                    .openConnection();
            h.setConnectTimeout(1000);
            h.setReadTimeout(2000);
            try (InputStream in = h.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                h.disconnect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int numRoutes(int i) {
        Matcher m = NUM_ROUTES.matcher(monitor(i, "/routez"));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Override
    public void close() {
        for (NatsServer s : servers) {
            s.close();
        }
    }
}
