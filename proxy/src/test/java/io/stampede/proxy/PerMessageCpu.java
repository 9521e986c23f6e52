package io.stampede.proxy;

import io.stampede.proxy.api.MessageRule;
import io.stampede.proxy.api.ProxyFault;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of the proxy loop thread per message, without jnats or nats-server: a raw client
 * floods {@code PUB} frames through an in-process {@link NatsProxy} to a fake upstream that
 * discards them ("up"), then the fake upstream floods {@code MSG} frames to the client ("down").
 * Measured with {@link ThreadMXBean#getThreadCpuTime} of {@code nats-proxy-loop}, so the client
 * threads and the JIT do not count. Configurations: no fault, a message fault whose subject
 * matches nothing, a near miss (same first token) and one on the other direction only.
 *
 * <pre>
 * java -cp proxy/target/test-classes:proxy/target/classes:$(cat proxy/target/test.classpath) \
 *      io.stampede.proxy.PerMessageCpu [messages per round, default 1000000] [rounds, default 5]
 * </pre>
 * Uses only the proxy's public API, so the same class also runs against an older build's classes.
 */
public final class PerMessageCpu {
    private static final int PAYLOAD = 128;
    private static final String SUBJECT = "orders.eu.created";

    private PerMessageCpu() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String label = System.getProperty("label", "");
        record Config(String name, String filter, ProxyFault.Direction dir) {}
        List<Config> configs = List.of( // -Donly=<name prefix> picks one
                new Config("no fault", null, null),
                new Config("non-matching fault (nothing.matches.>)", "nothing.matches.>", ProxyFault.Direction.BOTH),
                new Config("near miss (orders.*.deleted)", "orders.*.deleted", ProxyFault.Direction.BOTH),
                new Config("fault on the other direction only", "orders.>", null));
        String only = System.getProperty("only", "");
        if (!only.isEmpty()) {
            configs = configs.stream().filter(c -> c.name().startsWith(only)).toList();
        }
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            for (Config c : configs) {
                try (NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(upstream.getLocalPort()))) {
                    long loop = Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().equals("nats-proxy-loop")).findFirst().orElseThrow().getId();
                    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.listenPort());
                         Socket server = upstream.accept()) {
                        client.setTcpNoDelay(true);
                        server.setTcpNoDelay(true);
                        server.getOutputStream().write(ascii("INFO {\"server_id\":\"fake\",\"max_payload\":1048576}\r\n"));
                        client.getOutputStream().write(ascii("CONNECT {\"verbose\":false,\"name\":\"cpu\"}\r\n"));
                        readExactly(client.getInputStream(), ascii("INFO {\"server_id\":\"fake\",\"max_payload\":1048576}\r\n").length);
                        readExactly(server.getInputStream(), ascii("CONNECT {\"verbose\":false,\"name\":\"cpu\"}\r\n").length);
                        if (c.filter() != null) {
                            // "other direction only": to_client for the up phase, so the up pipe has no fault
                            ProxyFault.Direction d = c.dir() != null ? c.dir() : ProxyFault.Direction.TO_CLIENT;
                            proxy.putFault("f", new ProxyFault(100, 0, d, 0, false, null,
                                    new MessageRule(c.filter(), null, 0.5, 0.5, 0, null)));
                        }
                        byte[] up = frames("PUB " + SUBJECT + " " + PAYLOAD + "\r\n");
                        byte[] down = frames("MSG " + SUBJECT + " 1 " + PAYLOAD + "\r\n");
                        long[] upNs = new long[rounds];
                        long[] downNs = new long[rounds];
                        for (int r = -1; r < rounds; r++) { // round -1 warms up
                            long t0 = mx.getThreadCpuTime(loop);
                            flood(client.getOutputStream(), server.getInputStream(), up, n);
                            long t1 = mx.getThreadCpuTime(loop);
                            if (c.filter() != null && c.dir() == null) {
                                // the other direction only: now to_server, so the down pipe has none
                                proxy.putFault("f", new ProxyFault(100, 0, ProxyFault.Direction.TO_SERVER, 0, false, null,
                                        new MessageRule(c.filter(), null, 0.5, 0.5, 0, null)));
                            }
                            long t2 = mx.getThreadCpuTime(loop);
                            flood(server.getOutputStream(), client.getInputStream(), down, n);
                            long t3 = mx.getThreadCpuTime(loop);
                            if (c.filter() != null && c.dir() == null) {
                                proxy.putFault("f", new ProxyFault(100, 0, ProxyFault.Direction.TO_CLIENT, 0, false, null,
                                        new MessageRule(c.filter(), null, 0.5, 0.5, 0, null)));
                            }
                            if (r >= 0) {
                                upNs[r] = t1 - t0;
                                downNs[r] = t3 - t2;
                            }
                        }
                        System.out.printf("%s%-40s PUB up %6.1f ns/msg (rounds %s) | MSG down %6.1f ns/msg (rounds %s)%n",
                                label, c.name(), median(upNs) / (double) n, perMsg(upNs, n),
                                median(downNs) / (double) n, perMsg(downNs, n));
                    }
                }
            }
        }
    }

    /** 512 frames of {@code line} + payload + CRLF, written again and again. */
    private static byte[] frames(String line) {
        byte[] l = ascii(line);
        byte[] one = new byte[l.length + PAYLOAD + 2];
        System.arraycopy(l, 0, one, 0, l.length);
        Arrays.fill(one, l.length, l.length + PAYLOAD, (byte) 'x');
        one[one.length - 2] = '\r';
        one[one.length - 1] = '\n';
        byte[] batch = new byte[one.length * 512];
        for (int i = 0; i < 512; i++) {
            System.arraycopy(one, 0, batch, i * one.length, one.length);
        }
        return batch;
    }

    /** Writes {@code n} frames (n rounded up to whole batches of 512) and waits until all arrived. */
    private static void flood(OutputStream out, InputStream in, byte[] batch, int n) throws Exception {
        int batches = (n + 511) / 512;
        long expect = (long) batches * batch.length;
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try {
                byte[] buf = new byte[256 * 1024];
                long got = 0;
                while (got < expect) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, expect - got));
                    if (r < 0) {
                        throw new IllegalStateException("closed after " + got + " of " + expect);
                    }
                    got += r;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < batches; i++) {
            out.write(batch);
        }
        out.flush();
        reader.get(120, TimeUnit.SECONDS);
    }

    private static void readExactly(InputStream in, int n) throws Exception {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IllegalStateException("short read");
        }
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String perMsg(long[] v, int n) {
        List<String> out = new ArrayList<>();
        for (long x : v) {
            out.add(String.format("%.0f", x / (double) n));
        }
        return String.join(" ", out);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
