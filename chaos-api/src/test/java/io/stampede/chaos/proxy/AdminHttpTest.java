package io.stampede.chaos.proxy;

import io.stampede.proxy.AdminServer;
import io.stampede.proxy.NatsProxy;
import io.stampede.proxy.ProxyConfig;
import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminHttpTest {

    @Test
    void putAndDeleteOnOneKeepAliveConnectionToTheAdminServer() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(upstream.getLocalPort()));
             AdminServer server = AdminServer.start(proxy);
             AdminHttp http = new AdminHttp(URI.create(server.baseUrl()), Duration.ofSeconds(5))) {
            ProxyFault f = new ProxyFault(50, 0.1, ProxyFault.Direction.BOTH, 0, false, null);
            for (int i = 0; i < 20; i++) {
                AdminHttp.Response put = http.send("PUT", "/faults/a", f.toJson().encode());
                assertThat(put.status()).isEqualTo(200);
                assertThat(new JsonObject(put.body()).getInteger("delay_ms")).isEqualTo(50);
                assertThat(proxy.faults().containsKey("a")).isTrue();
                AdminHttp.Response del = http.send("DELETE", "/faults/a", null);
                assertThat(new JsonObject(del.body()).getBoolean("removed")).isTrue();
                assertThat(proxy.faults().containsKey("a")).isFalse();
            }
            AdminHttp.Response bad = http.send("PUT", "/faults/a", "{\"delay_ms\":-1}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(http.send("GET", "/faults/nope", null).status()).isEqualTo(404);
            assertThat(http.send("GET", "/metrics", null).body()).contains("nats_proxy_connections");
        }
    }

    /** A raw server: each accepted connection answers each request with {@code answer.apply(n)}. */
    private static final class RawServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Integer> connections = new CopyOnWriteArrayList<>();
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final Thread thread;

        RawServer(Function<Integer, String> answer, boolean closeAfterEach) throws IOException {
            thread = new Thread(() -> {
                int n = 0;
                try {
                    while (true) {
                        try (Socket s = socket.accept()) {
                            connections.add(n);
                            InputStream in = s.getInputStream();
                            while (true) {
                                String req = readRequest(in);
                                if (req == null) {
                                    break;
                                }
                                requests.add(req);
                                String a = answer.apply(n++);
                                if (a == null) {
                                    break; // close without answering
                                }
                                s.getOutputStream().write(a.getBytes(StandardCharsets.UTF_8));
                                if (closeAfterEach) {
                                    break;
                                }
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // closed
                }
            }, "raw-http");
            thread.setDaemon(true);
            thread.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        private static String readRequest(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                b.append((char) c);
                if (b.toString().endsWith("\r\n\r\n")) {
                    String head = b.toString();
                    int i = head.toLowerCase().indexOf("content-length: ");
                    if (i >= 0) {
                        int len = Integer.parseInt(head.substring(i + 16, head.indexOf("\r\n", i)).trim());
                        b.append(new String(in.readNBytes(len), StandardCharsets.UTF_8));
                    }
                    return b.toString();
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void chunkedAnswersAndConnectionClose() throws Exception {
        try (RawServer s = new RawServer(n -> n % 2 == 0
                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3;x=y\r\n42}\r\n0\r\n\r\n"
                : "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", false);
             AdminHttp http = new AdminHttp(s.uri(), Duration.ofSeconds(5))) {
            assertThat(http.send("GET", "/x", null)).isEqualTo(new AdminHttp.Response(200, "{\"a\":42}"));
            assertThat(http.send("PUT", "/y", "{\"b\":1}")).isEqualTo(new AdminHttp.Response(404, "{}"));
            assertThat(http.send("GET", "/z", null).status()).isEqualTo(200); // a new connection after close
            assertThat(s.connections).hasSize(2);
            assertThat(s.requests.get(0)).startsWith("GET /x HTTP/1.1\r\nHost: 127.0.0.1:");
            assertThat(s.requests.get(1)).startsWith("PUT /y HTTP/1.1\r\n").contains("Content-Length: 7\r\n")
                    .endsWith("\r\n\r\n{\"b\":1}");
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsRetriedOnceOnANewOne() throws Exception {
        // the server answers once per connection, then closes it: the client's idle connection is stale
        try (RawServer s = new RawServer(n -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", true);
             AdminHttp http = new AdminHttp(s.uri(), Duration.ofSeconds(5))) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                statuses.add(http.send("DELETE", "/faults/x", null).status());
                Thread.sleep(20); // the close reaches the client first
            }
            assertThat(statuses).containsOnly(200);
            assertThat(s.requests).hasSize(5);
        }
        // a server that closes without answering a fresh connection: an error, not an endless retry
        try (RawServer s = new RawServer(n -> null, false);
             AdminHttp http = new AdminHttp(s.uri(), Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> http.send("GET", "/x", null)).isInstanceOf(IOException.class)
                    .hasMessageContaining("closed the connection");
        }
    }

    @Test
    void theDeadlineBoundsASilentServer() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AdminHttp http = new AdminHttp(URI.create("http://127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(300))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> http.send("GET", "/x", null)).isInstanceOf(SocketTimeoutException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 3_000L);
        }
    }
}
