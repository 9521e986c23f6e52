package io.stampede.proxy;

import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bandwidth, connection drops and the admin API, against a real TCP echo server behind the proxy. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProxyFaultsTest {
    private ServerSocket echo;
    private Thread echoThread;
    private NatsProxy proxy;
    private AdminServer admin;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(this::serveEcho, "echo");
        echoThread.setDaemon(true);
        echoThread.start();
        proxy = NatsProxy.start(ProxyConfig.ephemeral(echo.getLocalPort()));
        admin = AdminServer.start(proxy);
    }

    @AfterEach
    void stop() throws IOException {
        admin.close();
        proxy.close();
        echo.close();
    }

    private void serveEcho() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException ignored) {
                        // peer reset
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.listenPort());
        s.setSoTimeout(5_000);
        return s;
    }

    private static byte[] roundTrip(Socket s, byte[] data) throws IOException {
        s.getOutputStream().write(data);
        return s.getInputStream().readNBytes(data.length);
    }

    @Test
    void bytesPassUnchangedAndBandwidthLimitPacesThem() throws IOException {
        byte[] data = new byte[10_000];
        Arrays.fill(data, (byte) 7);
        data[9_999] = 42;
        try (Socket s = connect()) {
            assertThat(roundTrip(s, data)).isEqualTo(data);
            proxy.putFault("bw", new ProxyFault(0, 0, ProxyFault.Direction.TO_SERVER, 80, false, null)); // 10 kB/s
            long t0 = System.nanoTime();
            assertThat(roundTrip(s, data)).isEqualTo(data);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).as("10 kB at 80 kbps").isBetween(0.9, 3.0);
            proxy.removeFault("bw");
            t0 = System.nanoTime();
            assertThat(roundTrip(s, data)).isEqualTo(data);
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(0.5);
        }
    }

    @Test
    void heldBytesBeyondTheInitialRingComeBackIntactAndInOrder() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024];
        new java.util.Random(42).nextBytes(data);
        proxy.putFault("big", new ProxyFault(50, 0.5, ProxyFault.Direction.BOTH, 0, false, null));
        try (Socket s = connect()) {
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < data.length; off += 1000) {
                        out.write(data, off, Math.min(1000, data.length - off));
                    }
                } catch (IOException ignored) {
                    // the read side fails the test
                }
            });
            writer.start();
            byte[] back = s.getInputStream().readNBytes(data.length);
            writer.join(5_000);
            assertThat(Arrays.equals(back, data)).as("3 MiB echoed through a jittered delay, byte for byte").isTrue();
        }
        JsonObject st = proxy.stats();
        assertThat(st.getLong("queued_bytes_max")).as("ring grew past 64 KiB").isGreaterThan(64 * 1024);
        assertThat(st.getLong("queued_bytes_max")).isLessThanOrEqualTo(st.getLong("queued_bytes_limit_per_direction"));
    }

    @Test
    void dropConnectionsResetsOpenAndNewConnectionsUntilRemoved() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
            proxy.putFault("drop", new ProxyFault(0, 0, ProxyFault.Direction.BOTH, 0, true, null));
            assertThatThrownBy(() -> {
                s.getOutputStream().write(new byte[] {4});
                if (s.getInputStream().read() < 0) {
                    throw new IOException("closed");
                }
            }).isInstanceOf(IOException.class);
        }
        try (Socket s2 = connect()) {
            assertThatThrownBy(() -> roundTrip(s2, new byte[] {5})).isInstanceOf(IOException.class);
        } catch (IOException refusedAtConnect) {
            // also a reset
        }
        proxy.removeFault("drop");
        try (Socket s3 = connect()) {
            assertThat(roundTrip(s3, new byte[] {6})).containsExactly(6);
        }
        assertThat(proxy.stats().getLong("connections_reset")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void adminApiPutsListsDeletesAndRejectsBadInput() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI base = URI.create(admin.baseUrl());
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(base.resolve("/faults/e1"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"delay_ms\":20,\"jitter_pct\":0.1,\"direction\":\"both\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(put.body()).getString("direction")).isEqualTo("both");

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(base.resolve("/faults/e2"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"delay_ms\":-1,\"jitter_pct\":2,\"direction\":\"sideways\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("delay_ms", "jitter_pct", "direction");
        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(base.resolve("/faults/e2"))
                .PUT(HttpRequest.BodyPublishers.ofString("{nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notJson.statusCode()).isEqualTo(400);

        JsonObject faults = new JsonObject(http.send(HttpRequest.newBuilder(base.resolve("/faults")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).getJsonObject("faults");
        assertThat(faults.fieldNames()).containsExactly("e1");

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> del = http.send(HttpRequest.newBuilder(base.resolve("/faults/e1")).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(del.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(del.body()).getBoolean("removed")).isEqualTo(i == 0);
        }
        JsonObject stats = new JsonObject(http.send(HttpRequest.newBuilder(base.resolve("/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(stats.getJsonObject("faults")).isEmpty();
        assertThat(stats.fieldNames()).contains("connections", "bytes_to_server", "bytes_to_client", "queued_bytes",
                "delay_lateness_us");
    }

    @Test
    void expiringFaultRemovesItself() {
        proxy.putFault("exp", new ProxyFault(10, 0, ProxyFault.Direction.TO_SERVER, 0, false,
                java.time.Instant.now().plusMillis(2_000))); // long enough to see it before it expires on a busy box
        assertThat(proxy.faults().fieldNames()).contains("exp");
        io.stampede.testkit.Await.until("fault expired", java.time.Duration.ofSeconds(10),
                () -> proxy.faults().isEmpty());
    }
}
