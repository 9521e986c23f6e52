package io.stampede.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the proxy listens, where it forwards, where its admin API listens, how much it may hold.
 * Keys (environment, or {@code --key=value} arguments which win): {@code PROXY_LISTEN}
 * (default 127.0.0.1:4223), {@code PROXY_UPSTREAM} (127.0.0.1:4222), {@code PROXY_ADMIN}
 * (127.0.0.1:4224), {@code PROXY_MAX_QUEUED_BYTES} (what one connection direction's ring may
 * grow to while a byte fault holds data, 64 MiB, rounded up to a power of two),
 * {@code PROXY_MEMORY_BUDGET_BYTES} (all off-heap buffers together: rings and held message frames,
 * 256 MiB; past it rings stop growing, so TCP pushes back, and message faults send what they
 * would hold at once, both counted in {@code /stats}), {@code PROXY_BUSY_POLL_US} (0: after traffic, keep polling
 * this many µs instead of sleeping in the kernel: lower added latency for one busy core). Port 0
 * picks a free port.
 */
public record ProxyConfig(String listenHost, int listenPort, String upstreamHost, int upstreamPort,
                          String adminHost, int adminPort, int maxQueuedBytes, int busyPollMicros,
                          long memoryBudgetBytes) {

    public static final String DEFAULT_LISTEN = "127.0.0.1:4223";
    public static final String DEFAULT_UPSTREAM = "127.0.0.1:4222";
    public static final String DEFAULT_ADMIN = "127.0.0.1:4224";
    public static final int DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
    public static final long DEFAULT_MEMORY_BUDGET_BYTES = 256L * 1024 * 1024;

    /** Listen on an ephemeral port, admin on an ephemeral port, in front of {@code upstreamPort}. */
    public static ProxyConfig ephemeral(int upstreamPort) {
        return new ProxyConfig("127.0.0.1", 0, "127.0.0.1", upstreamPort, "127.0.0.1", 0, DEFAULT_MAX_QUEUED_BYTES, 0,
                DEFAULT_MEMORY_BUDGET_BYTES);
    }

    public static ProxyConfig from(Map<String, String> env, String... args) {
        Map<String, String> v = new java.util.HashMap<>(env);
        for (String a : args) {
            if (a.startsWith("--") && a.contains("=")) {
                String k = a.substring(2, a.indexOf('=')).toUpperCase().replace('-', '_');
                v.put("PROXY_" + k, a.substring(a.indexOf('=') + 1));
            } else {
                throw new IllegalArgumentException("unknown argument " + a
                        + " (use --listen=host:port --upstream=host:port --admin=host:port --max-queued-bytes=n --memory-budget-bytes=n --busy-poll-us=n)");
            }
        }
        String[] listen = hostPort(v.getOrDefault("PROXY_LISTEN", DEFAULT_LISTEN));
        String[] upstream = hostPort(v.getOrDefault("PROXY_UPSTREAM", DEFAULT_UPSTREAM));
        String[] admin = hostPort(v.getOrDefault("PROXY_ADMIN", DEFAULT_ADMIN));
        int max = Integer.parseInt(v.getOrDefault("PROXY_MAX_QUEUED_BYTES", Integer.toString(DEFAULT_MAX_QUEUED_BYTES)).trim());
        int busy = Integer.parseInt(v.getOrDefault("PROXY_BUSY_POLL_US", "0").trim());
        long budget = Long.parseLong(v.getOrDefault("PROXY_MEMORY_BUDGET_BYTES", Long.toString(DEFAULT_MEMORY_BUDGET_BYTES)).trim());
        return new ProxyConfig(listen[0], Integer.parseInt(listen[1]), upstream[0], Integer.parseInt(upstream[1]),
                admin[0], Integer.parseInt(admin[1]), max, busy, budget);
    }

    private static String[] hostPort(String s) {
        int i = s.lastIndexOf(':');
        if (i < 0) {
            return new String[] {"127.0.0.1", s.trim()};
        }
        return new String[] {s.substring(0, i).trim(), s.substring(i + 1).trim()};
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (listenPort < 0 || listenPort > 65535) {
            problems.add("listen port out of range");
        }
        if (upstreamPort < 1 || upstreamPort > 65535) {
            problems.add("upstream port out of range");
        }
        if (adminPort < 0 || adminPort > 65535) {
            problems.add("admin port out of range");
        }
        if (!isLoopback(adminHost)) {
            problems.add("admin API must bind a loopback address (it has no authentication)");
        }
        if (busyPollMicros < 0 || busyPollMicros > 1_000_000) {
            problems.add("busy poll must be in 0..1000000 µs");
        }
        if (memoryBudgetBytes < 4L * Pipe.INITIAL_RING) {
            problems.add("memory budget must be at least " + 4 * Pipe.INITIAL_RING + " bytes");
        }
        if (maxQueuedBytes < Pipe.INITIAL_RING || maxQueuedBytes > (1 << 30)) {
            problems.add("max queued bytes must be in " + Pipe.INITIAL_RING + ".." + (1 << 30));
        }
        return problems;
    }

    /** The ring size actually used: a power of two at least {@link #maxQueuedBytes}. */
    int ringLimit() {
        return Integer.highestOneBit(Math.max(Pipe.INITIAL_RING, maxQueuedBytes - 1)) << 1;
    }

    InetSocketAddress listenAddress() {
        return new InetSocketAddress(listenHost, listenPort);
    }

    InetSocketAddress upstreamAddress() {
        return new InetSocketAddress(upstreamHost, upstreamPort);
    }

    InetSocketAddress adminAddress() {
        return new InetSocketAddress(adminHost, adminPort);
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
